import FleetCore

/// The end of the tolerance: the host is declared unreachable (once per episode).
public struct RemoteGiveUp: Sendable, Equatable {
    /// Failed attempts in the episode, this one included.
    public var totalAttempts: Int
    /// Seconds from the episode's first failure to this one.
    public var totalElapsedS: Double
    /// The tolerance, seconds.
    public var capS: Int
    /// The failure that exhausted the tolerance.
    public var finalError: RemoteFailure

    public init(totalAttempts: Int, totalElapsedS: Double, capS: Int, finalError: RemoteFailure) {
        self.totalAttempts = totalAttempts
        self.totalElapsedS = totalElapsedS
        self.capS = capS
        self.finalError = finalError
    }

    /// The `monitor_remote_giveup` alert (critical: nothing on this host is watched any more),
    /// to keep in the host's ``AlertTracker`` while the host stays given up. Message as the
    /// original's stderr line: `gave up after 5s / 4 attempts (ssh rc=255): <stderr tail>`.
    public func alert(host: String) -> Alert {
        Alert(
            detector: "monitor_remote_giveup", severity: .critical,
            message:
                "gave up after \(PythonFormat.fixed(totalElapsedS, decimals: 0))s / \(totalAttempts) attempts (ssh rc=\(finalError.returncode)): \(HostText.clip(finalError.stderrTail))",
            context: [
                "host": .string(host),
                "returncode": .int(Int64(finalError.returncode)),
                "total_attempts": .int(Int64(totalAttempts)),
                "total_elapsed_s": .double(totalElapsedS),
                "cap_s": .int(Int64(capS)),
                "final_error": .string(HostText.clip(finalError.stderrTail)),
            ]
        )
    }
}
