import Glibc

/// Resolves the program to exec the way `posix_spawnp`/`execvp` would, but against the
/// *child's* PATH (from the request's environment, not the supervisor's) and relative to
/// the child's working directory, and with an error that says what to do.
///
/// Resolving up front (instead of calling `posix_spawnp`) lets a missing or
/// non-executable program fail before any pipe or thread exists, and lets the error tell
/// "not on PATH" apart from "found but not executable".
enum ExecutableLocator {
    /// glibc's search path when PATH is unset.
    static let defaultSearchPath = "/bin:/usr/bin"

    /// Returns the path to pass to exec. It is interpreted after the child's chdir, so a
    /// relative result is relative to `workingDirectory`; the checks here anchor it there.
    static func resolve(
        _ command: String, environment: [String: String], workingDirectory: String?
    ) throws(ProcessError) -> String {
        guard !command.isEmpty else {
            throw ProcessError(.notFound, "cannot start an empty command; configure a program name or path")
        }
        if command.contains("/") {
            let path = anchor(command, in: workingDirectory)
            switch probe(path) {
            case .executable:
                return command
            case .missing:
                throw ProcessError(.notFound, "cannot start \"\(command)\": no such file (\(path)); check the path")
            case .directory:
                throw ProcessError(
                    .notExecutable,
                    "cannot start \"\(command)\": \(path) is a directory, not a program; point to the program inside it"
                )
            case .notExecutable:
                throw ProcessError(
                    .notExecutable,
                    "cannot start \"\(command)\": \(path) is not executable; chmod +x it or point to the right program")
            }
        }
        let searchPath = environment["PATH"] ?? defaultSearchPath
        var deniedCandidate: String?
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            // An empty PATH entry means the current directory, as in execvp.
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + command
            switch probe(anchor(candidate, in: workingDirectory)) {
            case .executable:
                return candidate
            case .notExecutable:
                deniedCandidate = deniedCandidate ?? candidate
            case .missing, .directory:
                continue
            }
        }
        if let deniedCandidate {
            throw ProcessError(
                .notExecutable,
                "cannot start \"\(command)\": found \(deniedCandidate) on PATH but it is not executable; chmod +x it or fix PATH (\(searchPath))"
            )
        }
        throw ProcessError(
            .notFound, "cannot start \"\(command)\": not found on PATH (\(searchPath)); install it or use its full path"
        )
    }

    private enum Probe { case executable, missing, directory, notExecutable }

    private static func probe(_ path: String) -> Probe {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        if info.st_mode & S_IFMT == S_IFDIR { return .directory }
        return access(path, X_OK) == 0 ? .executable : .notExecutable
    }

    /// Where the parent finds a path the child will resolve in its working directory.
    private static func anchor(_ path: String, in workingDirectory: String?) -> String {
        guard let workingDirectory, !path.hasPrefix("/") else { return path }
        return workingDirectory.hasSuffix("/") ? workingDirectory + path : workingDirectory + "/" + path
    }
}
