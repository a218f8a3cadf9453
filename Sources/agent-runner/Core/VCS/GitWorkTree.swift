import FleetCore

/// A git command that failed or ran out of time.
public struct GitError: Error, Sendable, Equatable, CustomStringConvertible {
    public var command: String
    public var message: String
    public var timedOut: Bool
    public var description: String { "git \(command): \(message)" }
}

/// The git operations the supervisor needs on the agent's work tree, each with a timeout so a
/// hung git (an NFS stall, a credential prompt) cannot wedge the supervisor.
public struct GitWorkTree: Sendable {
    public let workDir: String
    /// Paths inside the work tree that must never be stashed or committed, relative to workDir:
    /// the log dir (the supervisor's state) and the config file (stashing an untracked config
    /// made the original's next round fail with "config not found").
    public let excludedPaths: [String]
    let runner: any ProcessRunner
    let environment: [String: String]

    public init(workDir: String, logDir: String, configPath: String, runner: any ProcessRunner, environment: [String: String]) {
        self.workDir = workDir
        self.runner = runner
        var env = environment
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["GIT_OPTIONAL_LOCKS"] = "0"
        self.environment = env
        let prefix = workDir.hasSuffix("/") ? workDir : workDir + "/"
        excludedPaths = [logDir, configPath].compactMap { path in
            path.hasPrefix(prefix) && path.count > prefix.count ? String(path.dropFirst(prefix.count)) : nil
        }
    }

    private var pathspec: [String] {
        guard !excludedPaths.isEmpty else { return [] }
        return ["--", "."] + excludedPaths.map { ":(exclude)\($0)" }
    }

    /// The pathspec for commands that add files (stash -u, add -A): git refuses to name an
    /// ignored path there, and an ignored path needs no exclusion anyway.
    private func addingPathspec() -> [String] {
        let needed = excludedPaths.filter { path in (try? git(["check-ignore", "-q", path], timeoutS: 10)) == nil }
        guard !needed.isEmpty else { return [] }
        return ["--", "."] + needed.map { ":(exclude)\($0)" }
    }

    @discardableResult
    func git(_ arguments: [String], timeoutS: Double) throws(GitError) -> String {
        let label = arguments.first ?? ""
        let request = ProcessRequest(
            "git", arguments: ["-c", "core.quotepath=false"] + arguments, environment: environment, workingDirectory: workDir,
            deadline: .now + .milliseconds(Int64(timeoutS * 1000)), terminationGrace: .seconds(1))
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
            throw GitError(command: label, message: String(detail.prefix(200)), timedOut: false)
        }
        return output.stdoutText
    }

    /// Whether workDir is inside a git work tree.
    public func isWorkTree() -> Bool {
        (try? git(["rev-parse", "--is-inside-work-tree"], timeoutS: 10))?.hasPrefix("true") ?? false
    }

    /// The commit HEAD points at, or nil (no commits yet, or not a repository).
    public func head() -> String? {
        guard let text = try? git(["rev-parse", "--verify", "-q", "HEAD"], timeoutS: 10) else { return nil }
        let sha = text.trimmingCharacters(in: "\n")
        return sha.count == 40 ? sha : nil
    }

    /// Paths with uncommitted changes (tracked or untracked), outside the log dir.
    public func dirtyFiles() throws(GitError) -> [String] {
        let output = try git(["status", "--porcelain", "-z", "--untracked-files=all"] + pathspec, timeoutS: 10)
        var files: [String] = []
        var skipNext = false
        for entry in output.split(separator: "\0", omittingEmptySubsequences: true) {
            if skipNext { skipNext = false; continue }
            guard entry.count > 3 else { continue }
            let status = entry.prefix(2)
            files.append(String(entry.dropFirst(3)))
            if status.contains("R") || status.contains("C") { skipNext = true }
        }
        return files
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
            throw GitError(command: "stash", message: "stash push reported success but no stash was created", timedOut: false)
        }
        return top.sha
    }

    /// Commits every change outside the log dir; returns the new commit.
    public func commitAll(message: String) throws(GitError) -> String {
        try git(["add", "-A"] + addingPathspec(), timeoutS: 60)
        try git(["-c", "commit.gpgsign=false", "commit", "-q", "-m", message], timeoutS: 120)
        guard let sha = head() else {
            throw GitError(command: "commit", message: "commit reported success but HEAD did not resolve", timedOut: false)
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
