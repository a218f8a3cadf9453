import FleetCore

/// The checks run before every round. A permanent failure (a broken config) halts serve with
/// `config_broken` and exit 78 rather than respawning a doomed round forever; a transient one
/// (the log disk is full) is retried. `agent-runner doctor` runs the same checks for every
/// profile of the config, so the preflight and the round can never disagree.
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

    /// One check that ran, passed or not.
    public struct Check: Sendable, Equatable {
        /// `agent_cli_in_path`, or `agent_cli_in_path:<phase>` for a phase's own agent in `doctor`.
        public var name: String
        /// nil when it passed.
        public var failure: Failure?

        public init(name: String, failure: Failure? = nil) {
            self.name = name
            self.failure = failure
        }

        public var ok: Bool { failure == nil }
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
        checks(phase: phase, isGitWorkTree: isGitWorkTree).compactMap(\.failure)
    }

    /// Every check for a round of `phase`, in order: the log dir, git, the phase's prompt, the
    /// phase's agent.
    public func checks(phase: String?, isGitWorkTree: Bool) -> [Check] {
        [logDirWritable(), workDirIsGitRepo(isGitWorkTree)] + promptChecks(phase: phase, suffix: "")
            + agentChecks(phase: phase, suffix: "")
    }

    /// What `doctor` runs, in the original's order: the base checks with the base prompt and agent,
    /// then the agent checks of each phase with its own agent and the prompt checks of each phase
    /// with its own prompt files, named `<check>:<phase>` (the original checks only the smoke of
    /// a phase's prompt; a missing phase prompt file is named as such here). `phase_window_overlap` is the
    /// original's check of `[schedule]` run windows, which always passes here (this
    /// agent-runner refuses `[schedule]`, so no two phases can have overlapping windows).
    public func preflight(isGitWorkTree: Bool) -> [Check] {
        var checks = [logDirWritable(), workDirIsGitRepo(isGitWorkTree)] + promptChecks(phase: nil, suffix: "")
        checks.append(Check(name: "phase_window_overlap"))
        checks += agentChecks(phase: nil, suffix: "")
        for name in config.phases.list where config.phases.overrides[name]?.agent != nil {
            checks += agentChecks(phase: name, suffix: ":\(name)")
        }
        for name in config.phases.list where config.phases.overrides[name]?.promptFiles != nil {
            checks += promptChecks(phase: name, suffix: ":\(name)")
        }
        return checks
    }

    // MARK: Checks

    func logDirWritable() -> Check {
        let name = "log_dir_writable"
        let logDir = config.runtime.logDir
        let fix = "fix the permissions of the log dir or free disk space"
        if let error = fileSystem.createPrivateDirectory(logDir) {
            return Check(
                name: name,
                failure: Failure(
                    check: name, reason: "cannot create \(logDir): \(SystemError.text(error))", howToFix: fix,
                    permanent: false))
        }
        if let problem = fileSystem.privateDirectoryProblem(logDir) {
            return Check(
                name: name,
                failure: Failure(
                    check: name, reason: "refusing \(logDir): \(problem.reason)",
                    howToFix: problem.fix + ", or set [runtime] log_dir to a directory of your own", permanent: true))
        }
        let probe = logDir + "/.write_probe"
        defer { fileSystem.removeFile(probe) }
        do {
            try fileSystem.append(Array("ok".utf8), to: probe)
        } catch {
            let reason = (error as? FileError)?.errorNumber.map(SystemError.text) ?? "\(error)"
            return Check(
                name: name,
                failure: Failure(
                    check: name, reason: "cannot write in \(logDir): \(reason)", howToFix: fix,
                    permanent: false))
        }
        return Check(name: name)
    }

    func workDirIsGitRepo(_ isGitWorkTree: Bool) -> Check {
        let name = "work_dir_is_git_repo"
        guard !isGitWorkTree else { return Check(name: name) }
        return Check(
            name: name,
            failure: Failure(
                check: name, reason: "\(config.runtime.workDir) is not a git work tree",
                howToFix: "run 'git init' there (the supervisor stashes or commits what rounds leave behind)",
                permanent: true))
    }

    /// `prompt_file_exists` and, when the first file exists, `prompt_smoke_passes`; nothing for
    /// a phase that runs without a prompt.
    func promptChecks(phase: String?, suffix: String) -> [Check] {
        let files = config.promptFiles(forPhase: phase)
        let exists = "prompt_file_exists" + suffix
        let smoke = "prompt_smoke_passes" + suffix
        guard let first = files.first else {
            guard config.prompt.files.isEmpty else { return [] }
            return [
                Check(
                    name: exists,
                    failure: Failure(
                        check: exists, reason: "no prompt configured", howToFix: "set [prompt] file", permanent: true))
            ]
        }
        guard fileSystem.exists(first) else {
            return [
                Check(
                    name: exists,
                    failure: Failure(
                        check: exists, reason: "\(first) does not exist",
                        howToFix: "create it or fix [prompt] file/files",
                        permanent: true))
            ]
        }
        let assembler = PromptAssembler(
            separator: config.prompt.concatSeparator,
            stripYAMLFrontmatter: config.prompt.stripYAMLFrontmatter)
        let failure: Failure?
        do {
            let body = try assembler.body(files: files) { try? fileSystem.readFile($0) }.text
            let size = body.utf8.count
            if size < Self.minimumPromptBytes {
                failure = Failure(
                    check: smoke, reason: "prompt is \(size) bytes < \(Self.minimumPromptBytes) minimum",
                    howToFix: "add substantive content — a stub prompt suggests a broken config", permanent: true)
            } else if let first = body.first,
                first == "-" || first == " " || first == "\n" || first == "\t" || first == "\r"
            {
                failure = Failure(
                    check: smoke,
                    reason: "prompt starts with \(TOMLFieldReader.quote(String(first))), which an agent CLI may read "
                        + "as a flag or drop",
                    howToFix: "start the prompt with text", permanent: true)
            } else {
                failure = nil
            }
        } catch {
            failure = Failure(check: smoke, reason: error.description, howToFix: "fix [prompt] files", permanent: true)
        }
        return [Check(name: exists), Check(name: smoke, failure: failure)]
    }

    /// The agent's executable resolves, and a container run gets its stdin and cannot reach the
    /// supervisor's control files.
    func agentChecks(phase: String?, suffix: String) -> [Check] {
        let agent = config.agent(forPhase: phase)
        let workDir = config.runtime.workDir
        let prefix = agent.execPrefix.map { $0.replacingAll("{work_dir}", with: workDir) }
        let argv = prefix + agent.command
        var checks: [Check] = []

        let cli = "agent_cli_in_path" + suffix
        let executable = argv[0]
        let searchPath =
            agent.env.last(where: { $0.name == "PATH" })?.value ?? environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        if Directories.resolveExecutable(executable, path: searchPath, base: workDir) == nil {
            checks.append(
                Check(
                    name: cli,
                    failure: Failure(
                        check: cli, reason: "\(TOMLFieldReader.quote(executable)) not found on PATH (\(searchPath))",
                        howToFix: "install the agent CLI, or set [agent] \(prefix.isEmpty ? "command" : "exec_prefix") "
                            + "to its full path",
                        permanent: true)))
        } else {
            checks.append(Check(name: cli))
        }

        let container = ContainerCommand.runIndex(argv) != nil
        let stdin = "stdin_container_interactive" + suffix
        if container && agent.promptDelivery == .stdin && !ContainerCommand.isInteractive(prefix) {
            checks.append(
                Check(
                    name: stdin,
                    failure: Failure(
                        check: stdin,
                        reason: "stdin prompt delivery into a container, but exec_prefix lacks -i/--interactive",
                        howToFix: "add \"-i\" to [agent] exec_prefix (without it docker drops stdin and the agent "
                            + "waits for its prompt until the round's hard wall)", permanent: true)))
        } else {
            checks.append(Check(name: stdin))
        }

        let controlPlane = "control_plane_outside_container" + suffix
        let logDir = config.runtime.logDir
        if container && (logDir == workDir || logDir.hasPrefix(workDir.hasSuffix("/") ? workDir : workDir + "/")) {
            checks.append(
                Check(
                    name: controlPlane,
                    failure: Failure(
                        check: controlPlane,
                        reason: "runtime.log_dir is inside work_dir, which the container mounts: the agent could "
                            + "forge the pid and lock files the supervisor trusts",
                        howToFix:
                            "set runtime.log_dir outside work_dir (the default ~/.agent-runner/<project>/logs is)",
                        permanent: true)))
        } else {
            checks.append(Check(name: controlPlane))
        }
        return checks
    }
}
