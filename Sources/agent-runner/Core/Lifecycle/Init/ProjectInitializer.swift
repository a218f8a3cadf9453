import FleetCore

/// `agent-runner init`: writes agent-runner.toml, prompts/main.md, the preset's files
/// (``AgentPreset/files``) and the .gitignore lines into a git work tree, and commits exactly
/// those files.
///
/// The original left them untracked with `--no-commit`, and the first dirty round's
/// `git stash push -u` then stashed the config itself (next round: "config not found", exit 78).
/// Here serve never stashes the config, the prompt files or log_dir (``GitWorkTree``), and
/// `--no-commit` still prints the command that commits them. Files go through
/// `effects.fileSystem`, git through `effects.processes`.
public struct ProjectInitializer: Sendable {
    public struct Options: Sendable {
        public var preset: AgentPreset
        public var force: Bool
        public var commit: Bool
        public init(preset: AgentPreset, force: Bool = false, commit: Bool = true) {
            self.preset = preset
            self.force = force
            self.commit = commit
        }
    }

    public struct Result: Sendable, Equatable {
        public var workDir: String
        /// Paths relative to work_dir, in the order written.
        public var filesCreated: [String]
        public var committed: Bool
        public var preset: String
        /// With --no-commit (or nothing new to commit): the command that commits the files.
        public var commitCommand: String?
    }

    /// The config file to create (absolute); work_dir is its folder.
    public let configPath: String
    let effects: Effects
    let environment: [String: String]
    let home: String

    public init(configPath: String, effects: Effects, environment: [String: String], home: String) {
        self.configPath = configPath
        self.effects = effects
        self.environment = environment
        self.home = home
    }

    public func run(_ options: Options) throws(LifecycleError) -> Result {
        let folder = ConfigPaths.directory(of: configPath)
        let workDir = effects.fileSystem.resolveSymlinks(folder) ?? folder
        guard (try? git(["rev-parse", "--is-inside-work-tree"], in: workDir))?.trimmedLines == "true" else {
            throw LifecycleError(
                "\(workDir) is not a git working tree; run `git init` there first "
                    + "(the supervisor stashes or commits what rounds leave behind)")
        }
        if effects.fileSystem.exists(configPath) && !options.force {
            throw LifecycleError("\(configPath) already exists; pass --force to overwrite it")
        }
        if options.commit { try requireGitIdentity(in: workDir) }
        let (text, logDir) = try configText(options.preset, workDir: workDir)
        let ignored = ProjectScaffold.gitignoreLines(preset: options.preset, logDir: logDir, workDir: workDir)
        let created = try writeFiles(
            config: text, ignoring: ignored, preset: options.preset, in: folder, force: options.force)
        let quoted = created.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        let commitCommand = "git add \(quoted) && git commit -m '\(ProjectScaffold.commitMessage)'"
        var result = Result(
            workDir: workDir, filesCreated: created, committed: false, preset: options.preset.name,
            commitCommand: commitCommand)
        guard options.commit else { return result }
        do {
            result.committed = try commit(created, in: folder)
        } catch {
            throw LifecycleError(
                "wrote \(created.joined(separator: ", ")) but could not commit them (\(error)); "
                    + "commit them yourself before the first round: \(commitCommand)")
        }
        result.commitCommand = nil
        return result
    }

    /// The preset's agent-runner.toml for this work tree, proven to load before it is written,
    /// and the log dir it resolves to.
    private func configText(
        _ preset: AgentPreset, workDir: String
    ) throws(LifecycleError) -> (text: String, logDir: String) {
        let project = AgentRunnerConfigLoader.projectName(workDir: workDir)
        let text = ProjectScaffold.config(preset: preset, project: project)
        do {
            let environment = ConfigEnvironment(home: home, currentDirectory: workDir)
            let config = try AgentRunnerConfigLoader(environment: environment, fileSystem: effects.fileSystem)
                .parse(Array(text.utf8), configPath: configPath, displayPath: ProjectScaffold.configFileName)
            return (text, config.runtime.logDir)
        } catch {
            throw LifecycleError(
                "internal error: the \(preset.name) preset does not load (\(error)); "
                    + "please report it", exitCode: ExitCode.software)
        }
    }

    /// The config, the prompt and the preset's files (each kept unless `force`) and the `ignored`
    /// lines of .gitignore; returns the files written, relative to `folder`, in order.
    private func writeFiles(
        config text: String, ignoring ignored: [String], preset: AgentPreset, in folder: String,
        force: Bool
    ) throws(LifecycleError) -> [String] {
        let fileSystem = effects.fileSystem
        var created: [String] = []
        try write(text, to: configPath)
        created.append(relative(configPath, to: folder))
        let promptPath = folder + "/" + ProjectScaffold.promptPath
        if force || !fileSystem.exists(promptPath) {
            let promptFolder = ConfigPaths.directory(of: promptPath)
            if let error = fileSystem.createDirectory(promptFolder) {
                throw LifecycleError("cannot create \(promptFolder): \(SystemError.text(error))")
            }
            try write(ProjectScaffold.prompt, to: promptPath)
            created.append(ProjectScaffold.promptPath)
        }
        for file in preset.files where force || !fileSystem.exists(folder + "/" + file.path) {
            try write(file.text, to: folder + "/" + file.path)
            created.append(file.path)
        }
        let gitignorePath = folder + "/.gitignore"
        let existing = (try? fileSystem.readFile(gitignorePath)).map { String(decoding: $0, as: UTF8.self) }
        if let updated = ProjectScaffold.gitignore(appendingTo: existing, lines: ignored) {
            try write(updated, to: gitignorePath)
            created.append(".gitignore")
        }
        return created
    }

    /// The commit needs a git identity (user.name and user.email, or what git can guess). Checked
    /// before anything is written, so a host user without one gets the two commands that set it
    /// in one line instead of git's multi-line "Please tell me who you are" after the files.
    private func requireGitIdentity(in directory: String) throws(LifecycleError) {
        for ident in ["GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"] {
            do {
                try git(["var", ident], in: directory)
            } catch {
                throw LifecycleError(
                    "git has no identity for this user, so it cannot commit the new files; set one, then run "
                        + "init again: git config --global user.name \"Your Name\" && git config --global "
                        + "user.email \"you@example.com\" (or pass --no-commit and commit later)")
            }
        }
    }

    /// Commits exactly `files`; false when they were already committed as they are.
    private func commit(_ files: [String], in folder: String) throws(LifecycleError) -> Bool {
        try git(["add", "--"] + files, in: folder)
        let pending = try git(["status", "--porcelain", "--"] + files, in: folder)
        guard !pending.trimmedLines.isEmpty else { return false }
        try git(
            ["-c", "commit.gpgsign=false", "commit", "-q", "-m", ProjectScaffold.commitMessage, "--"] + files,
            in: folder)
        return true
    }

    private func write(_ text: String, to path: String) throws(LifecycleError) {
        do {
            try effects.fileSystem.writeAtomically(Array(text.utf8), to: path, mode: 0o644)
        } catch {
            throw LifecycleError("\(error)")
        }
    }

    /// What git said, on one line: its `fatal:`/`error:` lines when it printed any (the rest is
    /// advice written for a terminal), else its lines joined with `; `.
    static func gist(_ text: String) -> String {
        let lines = text.split(separator: "\n").map { String($0).trimmingCharacters(in: " \t\r") }.filter {
            !$0.isEmpty
        }
        let verdicts = lines.filter { $0.hasPrefix("fatal:") || $0.hasPrefix("error:") }
        return (verdicts.isEmpty ? lines : verdicts).joined(separator: "; ")
    }

    private func relative(_ path: String, to folder: String) -> String {
        path.hasPrefix(folder + "/") ? String(path.dropFirst(folder.count + 1)) : path
    }

    @discardableResult
    private func git(_ arguments: [String], in directory: String) throws(LifecycleError) -> String {
        var env = environment
        env["GIT_TERMINAL_PROMPT"] = "0"
        let request = ProcessRequest(
            "git", arguments: arguments, environment: env, workingDirectory: directory,
            deadline: effects.clock.now + .seconds(30), terminationGrace: .seconds(1))
        let output: ProcessOutput
        do {
            output = try effects.processes.run(request)
        } catch {
            throw LifecycleError("cannot run git: \(error)")
        }
        guard output.exit.isSuccess, !output.timedOut else {
            let said = Self.gist(output.stderrText + output.stdoutText)
            let how = output.timedOut ? "timed out" : output.exit.description
            throw LifecycleError("git \(arguments.first ?? "") failed (\(how))\(said.isEmpty ? "" : ": " + said)")
        }
        return output.stdoutText
    }
}
