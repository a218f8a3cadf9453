/// Why a process could not be started or signalled.
///
/// `message` is written for the operator reading a log on a small host: it names the
/// command, says what went wrong and what to do about it, e.g.
/// `cannot start "claud": not found on PATH (/usr/bin:/bin); install it or use its full path`.
/// Callers prefix their program name ("agent-runner: ") and may append a config hint
/// (e.g. "or set [agent] command to its full path") based on `kind`.
public struct ProcessError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No such program (not on the child's PATH, or the path does not exist).
        case notFound
        /// The program exists but cannot be executed (no execute permission, a directory,
        /// a script without a valid `#!` line, a binary for another architecture).
        case notExecutable
        /// The request itself is unusable (NUL bytes, a bad environment name, ...).
        case invalidRequest
        /// The working directory is missing or not a directory.
        case workingDirectory
        /// A stdin/stdout/stderr file could not be opened.
        case redirection
        /// The host ran out of something (descriptors, processes, threads, memory).
        case resources
        /// `posix_spawn` failed for another reason.
        case spawnFailed
        /// `kill` failed for a reason other than "already gone".
        case signalFailed
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
