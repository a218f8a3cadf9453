import FleetCore

/// What a round's transcript says about why the round failed, as fleetctl read it from a host
/// that does not classify its rounds itself (the original 0.3.x: its peek's `recent_rounds` is
/// always empty, and a claude 401 round leaves nothing but `agent_exit` in its events; the 401
/// text lives only in `rounds/R<N>-*.log`).
///
/// The poller fetches the transcript tail (`peek --round N --log`); this value is the verdict,
/// pure, applied to the observation with ``HostObservation/apply(_:)``.
public struct RoundLogVerdict: Sendable, Equatable {
    public var roundNum: Int
    /// The round's `round_start` timestamp when fetched: a verdict applies to that round only, not
    /// to a later round of the same number after the log was reset.
    public var startedAt: String?
    public var failures: RoundSummary.LogFailures

    public init(roundNum: Int, startedAt: String?, failures: RoundSummary.LogFailures) {
        self.roundNum = roundNum
        self.startedAt = startedAt
        self.failures = failures
    }

    /// Classifies a transcript tail: auth when it matches an auth pattern (the original's default
    /// `auth_fail_patterns`, which 0.3.x peek does not report), network when it matches the
    /// original's network regex or an errno code node and libc print (`read ECONNRESET`,
    /// `getaddrinfo ENOTFOUND`), which that regex misses.
    public static func classify(
        _ text: String,
        authPatterns: [String] = [LogPatterns.authFailure]
    ) -> RoundSummary.LogFailures {
        var failures: RoundSummary.LogFailures = []
        if authPatterns.contains(where: { LogPatterns.firstMatch(of: $0, in: text) != nil }) { failures.insert(.auth) }
        if LogPatterns.firstMatch(of: LogPatterns.network, in: text) != nil
            || LogPatterns.firstMatch(of: LogPatterns.networkCodes, in: text) != nil
        {
            failures.insert(.network)
        }
        return failures
    }
}
