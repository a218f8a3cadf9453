import FleetCore

/// `orphan_chain` (warning): round after round ends with a dirty tree that had to be stashed,
/// so the agent's work piles up in stashes instead of commits.
///
/// Walks the events in order: each `orphan_stashed` extends the streak; a `round_end` of a round
/// that had no `orphan_stashed` resets it (`orphan_idempotent_skip` does not count). Fires when
/// the streak reaches `orphan_streak`. Message `"3 consecutive rounds with orphan_stashed (>= 3)"`,
/// context `{streak, threshold, last_round}`, key `orphan_chain:last_round=N`.
public struct OrphanChainDetector: Detector {
    public let name = "orphan_chain"
    public init() {}

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        let threshold = settings.policy.orphanStreak
        guard threshold >= 1 else { return [] }
        // Without an orphan_stashed event the streak is 0: skip reading every round_end payload.
        let index = observation.eventIndex
        guard index.contains(.orphanStashed) else { return [] }
        var streak = 0
        var lastRound: Int?
        var stashedRounds = Set<Int>()
        for position in index.kinds.indices {
            switch index.kinds[position] {
            case .orphanStashed:
                streak += 1
                let round = HostValue.roundNumber(observation.events[position].payload["round_num"])
                if let round { stashedRounds.insert(round) }
                lastRound = round
            case .roundEnd:
                let round = HostValue.roundNumber(observation.events[position].payload["round_num"])
                if round.map({ !stashedRounds.contains($0) }) ?? true { streak = 0 }
            default:
                continue
            }
        }
        guard streak >= threshold else { return [] }
        let last: JSONValue = lastRound.map { .int(Int64($0)) } ?? .null
        return [
            Alert(
                detector: name, severity: .warning,
                message: "\(streak) consecutive rounds with orphan_stashed (>= \(threshold))",
                context: ["streak": .int(Int64(streak)), "threshold": .int(Int64(threshold)), "last_round": last],
                key: "orphan_chain:last_round=\(lastRound.map(String.init) ?? "None")"
            )
        ]
    }
}
