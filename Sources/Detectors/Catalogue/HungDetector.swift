import FleetCore

/// `hung` (warning): the current round has run far past its budget without ending, so the
/// supervisor's hard wall did not work (a wedged child, a process in D state).
///
/// Only the **highest-numbered** round with a known start is judged (0.2.x checked every open
/// round, so one orphaned round from a killed serve fired forever). It fires when that round has
/// no `round_end` and has been running more than `hung_factor × budget`. The budget is the
/// round's own `agent_spawn.timeout_s` when the tail has it (what the round really runs under,
/// even after a config change), else the host's timeout for the round's phase, else the base
/// timeout. Message `"Round 7 started 2701s ago with no round_end"`, context
/// `{round_num, elapsed_s, threshold_s}`, key `hung` (the condition "this host's newest round is stuck":
/// the elapsed time and even the round number move while it lasts, and must not re-fire it).
public struct HungDetector: Detector {
    public let name = "hung"
    public init() {}

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        let factor = settings.policy.hungFactor
        guard factor.isFinite, factor > 0 else { return [] }
        let rounds = observation.rounds
        var current: Int?
        for position in rounds.indices where rounds[position].startedAt != nil {
            if current.map({ rounds[position].roundNum >= rounds[$0].roundNum }) ?? true { current = position }
        }
        guard let current, case let round = rounds[current], round.endedAt == nil,
            let started = round.startedAt.flatMap(EventTimestamp.parse)
        else { return [] }
        let budget =
            spawnTimeout(of: round.roundNum, in: observation)
            ?? Double(observation.config.roundTimeout(forPhase: round.phase))
        let threshold = factor * budget
        let elapsed = observation.seconds(since: started)
        guard elapsed.isFinite, elapsed > threshold else { return [] }
        return [
            Alert(
                detector: name, severity: .warning,
                message:
                    "Round \(round.roundNum) started \(PythonFormat.fixed(elapsed, decimals: 0))s ago with no round_end",
                context: [
                    "round_num": .int(Int64(round.roundNum)),
                    "elapsed_s": .double(elapsed),
                    "threshold_s": .double(threshold),
                ]
            )
        ]
    }

    /// The newest `agent_spawn.timeout_s` for `round` (a positive number of seconds), if any.
    private func spawnTimeout(of round: Int, in observation: HostObservation) -> Double? {
        for position in observation.eventIndex.positions(of: .agentSpawn).reversed() {
            let event = observation.events[position]
            guard HostValue.roundNumber(event.payload["round_num"]) == round else { continue }
            guard let timeout = HostValue.seconds(event.payload["timeout_s"]), timeout > 0 else { return nil }
            return timeout
        }
        return nil
    }
}
