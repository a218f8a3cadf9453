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

        public init(check: String, reason: String, howToFix: String, permanent: Bool) {
            self.check = check
            self.reason = reason
            self.howToFix = howToFix
            self.permanent = permanent
        }

        /// `STARTUP FAIL: <check>: <reason> | how-to-fix: <fix>` as the original prints it.
        public var line: String { "STARTUP FAIL: \(check): \(reason) | how-to-fix: \(howToFix)" }
    }

    public let config: AgentRunnerConfig
    public let environment: [String: String]
    let fileSystem: any FileSystem

    public init(config: AgentRunnerConfig, environment: [String: String], fileSystem: any FileSystem) {
        self.config = config
        self.environment = environment
        self.fileSystem = fileSystem
    }

    /// Every failing check for a round of `phase` (empty when all pass).
    public func run(phase: String?, isGitWorkTree: Bool) -> [Failure] {
        var failures: [Failure] = []
        if let failure = logDirWritable() { failures.append(failure) }
        if !isGitWorkTree {
            failures.append(.init(
                check: "work_dir_is_git_repo", reason: "\(config.runtime.workDir) is not a git work tree",
                howToFix: "run 'git init' there (the supervisor stashes or commits what rounds leave behind)",
                permanent: true))
        }
        if let failure = promptPasses(phase: phase) { failures.append(failure) }
        if let failure = agentCLIInPath(phase: phase) { failures.append(failure) }
        return failures
    }

    /// The log dir exists (created if needed) and takes a write: a full disk fails here, not
    /// halfway through a round's transcript.
    private func logDirWritable() -> Failure? {
        let logDir = config.runtime.logDir
        let howToFix = "fix the permissions of the log dir or free disk space"
        if let error = fileSystem.createDirectory(logDir) {
            return .init(check: "log_dir_writable", reason: "cannot create \(logDir): \(SystemError.text(error))",
                         howToFix: howToFix, permanent: false)
        }
        let probe = logDir + "/.write_probe"
        defer { fileSystem.removeFile(probe) }
        do {
            try fileSystem.append(Array("ok".utf8), to: probe)
        } catch {
            let reason = (error as? FileError)?.errorNumber.map(SystemError.text) ?? "\(error)"
            return .init(check: "log_dir_writable", reason: "cannot write in \(logDir): \(reason)", howToFix: howToFix,
                         permanent: false)
        }
        return nil
    }

    /// The first prompt file exists and the assembled prompt is substantive and starts with text.
    private func promptPasses(phase: String?) -> Failure? {
        let files = config.promptFiles(forPhase: phase)
        guard let first = files.first else {
            guard config.prompt.files.isEmpty else { return nil }
            return .init(check: "prompt_file_exists", reason: "no prompt configured", howToFix: "set [prompt] file",
                         permanent: true)
        }
        guard fileSystem.exists(first) else {
            return .init(check: "prompt_file_exists", reason: "\(first) does not exist",
                         howToFix: "create it or fix [prompt] files", permanent: true)
        }
        let assembler = PromptAssembler(separator: config.prompt.concatSeparator,
                                        stripYAMLFrontmatter: config.prompt.stripYAMLFrontmatter)
        let body: String
        do {
            body = try assembler.body(files: files) { try? fileSystem.readFile($0) }.text
        } catch {
            return .init(check: "prompt_smoke_passes", reason: error.description, howToFix: "fix [prompt] files",
                         permanent: true)
        }
        let size = body.utf8.count
        if size < Self.minimumPromptBytes {
            return .init(check: "prompt_smoke_passes",
                         reason: "prompt is \(size) bytes < \(Self.minimumPromptBytes) minimum",
                         howToFix: "add substantive content — a stub prompt suggests a broken config", permanent: true)
        }
        if let first = body.first, ["-", " ", "\n", "\t", "\r"].contains(first) {
            let quoted = TOMLFieldReader.quote(String(first))
            return .init(check: "prompt_smoke_passes",
                         reason: "prompt starts with \(quoted), which an agent CLI may read as a flag or drop",
                         howToFix: "start the prompt with text", permanent: true)
        }
        return nil
    }

    /// The agent CLI (or its `exec_prefix`) resolves on the PATH the agent will get.
    private func agentCLIInPath(phase: String?) -> Failure? {
        let agent = config.agent(forPhase: phase)
        let workDir = config.runtime.workDir
        let executable = agent.execPrefix.first.map { $0.replacingAll("{work_dir}", with: workDir) } ?? agent.command[0]
        let searchPath = agent.env.last(where: { $0.name == "PATH" })?.value ?? environment["PATH"]
            ?? "/usr/local/bin:/usr/bin:/bin"
        guard Directories.resolveExecutable(executable, path: searchPath, base: workDir) == nil else { return nil }
        return .init(check: "agent_cli_in_path",
                     reason: "\(TOMLFieldReader.quote(executable)) not found on PATH (\(searchPath))",
                     howToFix: "install the agent CLI, or set [agent] command to its full path", permanent: true)
    }
}
