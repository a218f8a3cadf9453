import FleetCore

/// A git command that failed or ran out of time.
public struct GitError: Error, Sendable, Equatable, CustomStringConvertible {
    public var command: String
    public var message: String
    public var timedOut: Bool
    public var description: String { "git \(command): \(message)" }
}

/// The git operations the supervisor needs on the agent's work tree, each with a timeout (on the
/// effects' clock) so a hung git (an NFS stall, a credential prompt) cannot wedge the
/// supervisor.
public struct GitWorkTree: Sendable {
    public let workDir: String
    /// Paths inside the work tree that must never be stashed or committed, relative to workDir:
    /// the log dir (the supervisor's state), the config file (stashing an untracked config
    /// made the original's next round fail with "config not found") and the prompt files
    /// (likewise: after `init --no-commit` an untracked prompt would be stashed, and the next
    /// round would halt serve with config_broken because the prompt is gone), and the config's
    /// backups that `agent-runner migrate` left (untracked: a stash would take them, and the
    /// agent, told of an orphan stash, would put them back round after round).
    public let excludedPaths: [String]
    let runner: any ProcessRunner
    let clock: any MonotonicClock
    let fileSystem: any FileSystem
    let environment: [String: String]

    public init(
        workDir: String, logDir: String, configPath: String, promptFiles: [String] = [], effects: Effects,
        environment: [String: String]
    ) {
        self.workDir = workDir
        runner = effects.processes
        clock = effects.clock
        fileSystem = effects.fileSystem
        var env = environment
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["GIT_OPTIONAL_LOCKS"] = "0"
        self.environment = env
        let prefix = workDir.hasSuffix("/") ? workDir : workDir + "/"
        var seen = Set<String>()
        let backups = MigratedConfigWriter.existingBackups(of: configPath)
        excludedPaths = ([logDir, configPath] + backups + promptFiles).compactMap { path in
            path.hasPrefix(prefix) && path.count > prefix.count ? String(path.dropFirst(prefix.count)) : nil
        }.filter { seen.insert($0).inserted }
    }

    private var pathspec: [String] {
        guard !excludedPaths.isEmpty else { return [] }
        return ["--", "."] + excludedPaths.map { ":(exclude)\($0)" }
    }

    /// The pathspec for commands that add files (stash -u, add -A): git refuses to name an
    /// ignored path there, and an ignored path needs no exclusion anyway.
    private func addingPathspec() -> [String] {
        let needed = excludedPaths.filter { path in
            (try? git(["check-ignore", "-q", path], timeoutS: 10)) == nil
        }
        guard !needed.isEmpty else { return [] }
        return ["--", "."] + needed.map { ":(exclude)\($0)" }
    }

    @discardableResult
    func git(_ arguments: [String], timeoutS: Double) throws(GitError) -> String {
        let label = arguments.first ?? ""
        let request = ProcessRequest(
            "git", arguments: ["-c", "core.quotepath=false"] + arguments, environment: environment,
            workingDirectory: workDir, deadline: clock.now + .seconds(timeoutS), terminationGrace: .seconds(1))
        let output: ProcessOutput
        do {
            output = try runner.run(request)
        } catch {
            throw GitError(command: label, message: "\(error)", timedOut: false)
        }
        if output.timedOut {
            throw GitError(command: label, message: "timed out after \(Int(timeoutS))s", timedOut: true)
        }
        guard output.exit == .terminated(0) else {
            let detail = output.stderrText.split(separator: "\n").last.map(String.init) ?? output.exit.description
            throw GitError(
                command: label, message: UTF8Clip.prefix(detail, maxScalars: 200, maxBytes: 800), timedOut: false)
        }
        return output.stdoutText
    }

    /// Whether workDir is a git work tree, and its HEAD commit (nil before the first commit),
    /// in one git call: this runs before every round.
    public func probe() -> (isWorkTree: Bool, head: String?) {
        if let direct = GitHeadReader.read(workDir: workDir, fileSystem: fileSystem) { return direct }
        let request = ProcessRequest(
            "git", arguments: ["rev-parse", "--is-inside-work-tree", "--verify", "-q", "HEAD"],
            environment: environment, workingDirectory: workDir, deadline: clock.now + .seconds(10),
            terminationGrace: .seconds(1))
        guard let output = try? runner.run(request), !output.timedOut else { return (false, nil) }
        let lines = output.stdoutText.split(separator: "\n")
        let head = lines.dropFirst().first.map(String.init).flatMap { $0.count == 40 ? $0 : nil }
        return (lines.first == "true", head)
    }

    /// The working tree's state after a round: changed paths (tracked or untracked, outside the
    /// excluded paths) and HEAD, from one `git status --porcelain=v2 --branch -z`.
    public func status() throws(GitError) -> (files: [String], head: String?) {
        let arguments = ["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all"] + pathspec
        let output = try git(arguments, timeoutS: 10)
        return Self.parseStatus(output)
    }

    /// Parses porcelain v2 `-z` output.
    static func parseStatus(_ output: String) -> (files: [String], head: String?) {
        var files: [String] = []
        var head: String?
        var skipNext = false
        for entry in output.split(separator: "\0", omittingEmptySubsequences: true) {
            if skipNext {
                skipNext = false
                continue
            }
            let fields = entry.split(separator: " ", omittingEmptySubsequences: false)
            switch fields.first {
            case "#":
                if fields.count == 3 && fields[1] == "branch.oid" && fields[2].count == 40 { head = String(fields[2]) }
            case "1":
                if fields.count >= 9 { files.append(fields[8...].joined(separator: " ")) }
            case "2":
                if fields.count >= 10 { files.append(fields[9...].joined(separator: " ")) }
                skipNext = true
            case "u":
                if fields.count >= 11 { files.append(fields[10...].joined(separator: " ")) }
            case "?":
                files.append(String(entry.dropFirst(2)))
            default:
                continue
            }
        }
        return (files, head)
    }

    /// The newest stash: its commit, creation time (Unix seconds) and subject.
    public func topStash() -> (sha: String, epoch: Int64, subject: String)? {
        guard let text = try? git(["stash", "list", "-1", "--format=%H%x00%ct%x00%s"], timeoutS: 10) else { return nil }
        let parts = text.trimmingCharacters(in: "\n").split(separator: "\0", omittingEmptySubsequences: false)
        guard parts.count == 3, let epoch = Int64(parts[1]) else { return nil }
        return (String(parts[0]), epoch, String(parts[2]))
    }

    /// Stashes every change (untracked included) with `message`; returns the stash commit.
    public func stash(message: String) throws(GitError) -> String {
        try git(["stash", "push", "-u", "-m", message] + addingPathspec(), timeoutS: 30)
        guard let top = topStash(), top.subject.hasSuffix(message) else {
            throw GitError(
                command: "stash", message: "stash push reported success but no stash was created",
                timedOut: false)
        }
        return top.sha
    }

    /// Commits every change outside the log dir; returns the new commit.
    public func commitAll(message: String) throws(GitError) -> String {
        try git(["add", "-A"] + addingPathspec(), timeoutS: 60)
        try git(["-c", "commit.gpgsign=false", "commit", "-q", "-m", message], timeoutS: 120)
        guard let sha = probe().head else {
            throw GitError(
                command: "commit", message: "commit reported success but HEAD did not resolve",
                timedOut: false)
        }
        return sha
    }
}

extension String {
    /// The string without leading and trailing characters from `set`.
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = self[...]
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
