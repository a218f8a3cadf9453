import FleetCore

/// One remote command's result: the outcome, an operator-facing message when it failed,
/// and what is worth logging (ssh's exit status, the end of stderr, how long it took).
public struct RemoteResult: Sendable, Equatable {
    /// Standard output kept by default: more than any status command prints, small enough
    /// for a small operator machine polling many hosts at once.
    public static let defaultOutputLimit = 8 << 20

    /// The inventory name of the host.
    public var host: String
    public var outcome: RemoteOutcome
    /// What failed, on which host, and what to do; nil when the outcome is `.ok`.
    /// E.g. `pi: ssh: connection refused (ssh: connect to host 10.0.0.7 port 22: Connection refused); ...`.
    public var errorMessage: String?
    /// The last lines of stderr (at most 20 lines / 2 KiB), control characters escaped.
    /// Kept on success too: remote warnings are worth a log line.
    public var stderrTail: String
    /// ssh's exit status; nil when ssh was never started.
    public var exit: ExitStatus?
    /// From spawn to exit (zero when ssh was never started).
    public var duration: Duration

    public init(
        host: String, outcome: RemoteOutcome, errorMessage: String?, stderrTail: String = "", exit: ExitStatus? = nil,
        duration: Duration = .zero
    ) {
        self.host = host
        self.outcome = outcome
        self.errorMessage = errorMessage
        self.stderrTail = stderrTail
        self.exit = exit
        self.duration = duration
    }

    /// A failure before ssh ran (refused setting, unusable control directory, no ssh binary).
    static func notStarted(_ host: RemoteHost, kind: SSHFailureKind, _ message: String) -> RemoteResult {
        let detail = message.hasPrefix(host.label + ": ") ? String(message.dropFirst(host.label.count + 2)) : message
        return RemoteResult(
            host: host.name, outcome: .sshFailure(kind, detail), errorMessage: "\(host.label): \(detail)")
    }
}
