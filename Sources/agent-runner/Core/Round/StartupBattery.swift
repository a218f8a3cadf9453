#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FleetCore

/// The checks run before every round. A permanent failure (a broken config) halts serve with
/// `config_broken` and exit 78 rather than respawning a doomed round forever; a transient one
/// (the log disk is full) is retried.
public struct StartupBattery: Sendable {
    /// The smallest prompt that is plausibly real: a stub suggests a broken config.
    public static let minimumPromptBytes = 500

    public struct Failure: Sendable, Equatable {
        public var check: String
        public var reason: String
        public var howToFix: String
        public var permanent: Bool

        /// `STARTUP FAIL: <check>: <reason> | how-to-fix: <fix>` as the original prints it.
        public var line: String { "STARTUP FAIL: \(check): \(reason) | how-to-fix: \(howToFix)" }
    }

    public let config: AgentRunnerConfig
    public let environment: [String: String]

    public init(config: AgentRunnerConfig, environment: [String: String]) {
        self.config = config
        self.environment = environment
    }

    /// Every failing check for a round of `phase` (empty when all pass).
    public func run(phase: String?, isGitWorkTree: Bool) -> [Failure] {
        var failures: [Failure] = []
        let logDir = config.runtime.logDir
        if let error = Directories.create(logDir) {
            failures.append(.init(check: "log_dir_writable", reason: "cannot create \(logDir): \(SystemError.text(error))",
                                  howToFix: "fix the permissions of the log dir or free disk space", permanent: false))
        } else {
            let probe = logDir + "/.write_probe"
            let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            if fd < 0 || write(fd, "ok", 2) != 2 {
                let error = errno
                failures.append(.init(check: "log_dir_writable", reason: "cannot write in \(logDir): \(SystemError.text(error))",
                                      howToFix: "fix the permissions of the log dir or free disk space", permanent: false))
            }
            if fd >= 0 { close(fd) }
            unlink(probe)
        }
        if !isGitWorkTree {
            failures.append(.init(check: "work_dir_is_git_repo", reason: "\(config.runtime.workDir) is not a git work tree",
                                  howToFix: "run 'git init' there (the supervisor stashes or commits what rounds leave behind)", permanent: true))
        }
        let files = config.promptFiles(forPhase: phase)
        if let first = files.first {
            if !Directories.exists(first) {
                failures.append(.init(check: "prompt_file_exists", reason: "\(first) does not exist",
                                      howToFix: "create it or fix [prompt] file/files", permanent: true))
            } else {
                let assembler = PromptAssembler(separator: config.prompt.concatSeparator, stripYAMLFrontmatter: config.prompt.stripYAMLFrontmatter)
                do {
                    let body = try assembler.body(files: files) { try? LocalFileSystem().readFile($0) }.text
                    let size = body.utf8.count
                    if size < Self.minimumPromptBytes {
                        failures.append(.init(check: "prompt_smoke_passes", reason: "prompt is \(size) bytes < \(Self.minimumPromptBytes) minimum",
                                              howToFix: "add substantive content — a stub prompt suggests a broken config", permanent: true))
                    } else if let first = body.first, first == "-" || first == " " || first == "\n" || first == "\t" || first == "\r" {
                        failures.append(.init(check: "prompt_smoke_passes", reason: "prompt starts with \(TOMLFieldReader.quote(String(first))), which an agent CLI may read as a flag or drop",
                                              howToFix: "start the prompt with text", permanent: true))
                    }
                } catch {
                    failures.append(.init(check: "prompt_smoke_passes", reason: error.description, howToFix: "fix [prompt] files", permanent: true))
                }
            }
        } else if config.prompt.files.isEmpty {
            failures.append(.init(check: "prompt_file_exists", reason: "no prompt configured", howToFix: "set [prompt] file", permanent: true))
        }
        let agent = config.agent(forPhase: phase)
        let executable = agent.execPrefix.first.map { $0.replacingAll("{work_dir}", with: config.runtime.workDir) } ?? agent.command[0]
        let searchPath = agent.env.last(where: { $0.name == "PATH" })?.value ?? environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        if Directories.resolveExecutable(executable, path: searchPath, base: config.runtime.workDir) == nil {
            failures.append(.init(check: "agent_cli_in_path", reason: "\(TOMLFieldReader.quote(executable)) not found on PATH (\(searchPath))",
                                  howToFix: "install the agent CLI, or set [agent] command to its full path", permanent: true))
        }
        return failures
    }
}
