import FleetCore

/// `orphan_chain` (warning): round after round ends with a dirty tree that had to be stashed,
/// so the agent's work piles up in stashes instead of commits.
///
/// Walks the events in order: each `orphan_stashed` extends the streak; a `round_end` of a round
/// that had no `orphan_stashed` resets it (`orphan_idempotent_skip` does not count). Fires when
/// the streak reaches `orphan_streak`. Message `"3 consecutive rounds with orphan_stashed (>= 3)"`,
/// context `{streak, threshold, last_round}`, key `orphan_chain`: the key names the condition, not
/// the round, so a streak that keeps growing is one episode (a key with the round in it resolved
/// and re-fired the alert at every poll).
///
/// A poll ships a bounded tail of events (about 25 rounds), so a longer streak would stop
/// growing at the window's size. While the alert is firing (``DetectorSettings/firing``) and no
/// round since its `last_round` reset the streak, the count continues from the firing one.
public struct OrphanChainDetector: Detector {
    public let name = "orphan_chain"
    public init() {}

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        let threshold = settings.policy.orphanStreak
        guard threshold >= 1 else { return [] }
        // Without an orphan_stashed event the streak is 0: skip reading every round_end payload.
        let index = observation.eventIndex
        guard index.contains(.orphanStashed) else { return [] }
        let previous = settings.firing[name]
        let previousRound = previous.flatMap { HostValue.roundNumber($0.context["last_round"]) }
        var streak = 0
        var lastRound: Int?
        var stashedRounds = Set<Int>()
        var stashedSincePrevious = 0
        var resetSincePrevious = false
        for position in index.kinds.indices {
            switch index.kinds[position] {
            case .orphanStashed:
                streak += 1
                let round = HostValue.roundNumber(observation.events[position].payload["round_num"])
                if let round { stashedRounds.insert(round) }
                if let round, let previousRound, round > previousRound { stashedSincePrevious += 1 }
                lastRound = round
            case .roundEnd:
                let round = HostValue.roundNumber(observation.events[position].payload["round_num"])
                if round.map({ !stashedRounds.contains($0) }) ?? true {
                    streak = 0
                    if let previousRound, round.map({ $0 > previousRound }) ?? true { resetSincePrevious = true }
                }
            default:
                continue
            }
        }
        if let previousRound, let lastRound, lastRound >= previousRound, !resetSincePrevious,
            let carried = HostValue.int(previous?.context["streak"], in: 0...Int64(Int32.max))
        {
            streak = max(streak, Int(carried) + stashedSincePrevious)
        }
        guard streak >= threshold else { return [] }
        let last: JSONValue = lastRound.map { .int(Int64($0)) } ?? .null
        return [
            Alert(
                detector: name, severity: .warning,
                message: "\(streak) consecutive rounds with orphan_stashed (>= \(threshold))",
                context: ["streak": .int(Int64(streak)), "threshold": .int(Int64(threshold)), "last_round": last]
            )
        ]
    }
}
