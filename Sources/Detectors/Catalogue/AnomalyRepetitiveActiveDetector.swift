import FleetCore

/// `anomaly_repetitive_active` (warning): the agent was recently caught repeating the same tool
/// call on the same target (a test loop, re-reading one file), the usual sign of a stuck agent
/// burning tokens.
///
/// `max_round` is the highest `round_num` of any event in the tail; it fires when at least one
/// `anomaly_repetitive_tool` event has `round_num ≥ max_round − 4` (the last 5 rounds; fixed,
/// as in the original). Message
/// `"1 anomaly_repetitive_tool event(s) in last 5 rounds; latest: Bash on 'pytest -x' (16x in window 30)"`,
/// context `{count, window_rounds, latest_tool, latest_target}`, key `anomaly_repetitive_active`: the
/// condition is "the agent loops", whichever call it repeats this time.
public struct AnomalyRepetitiveActiveDetector: Detector {
    public let name = "anomaly_repetitive_active"
    public static let windowRounds = 5
    public init() {}

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        // Most hosts have no anomaly event at all: answer that without reading every payload.
        guard observation.eventIndex.contains(.anomalyRepetitiveTool) else { return [] }
        var maxRound = 0
        for event in observation.events {
            if let round = HostValue.roundNumber(event.payload["round_num"]), round > maxRound { maxRound = round }
        }
        guard maxRound > 0 else { return [] }
        let firstRound = maxRound - (Self.windowRounds - 1)
        var count = 0
        var latest: Event?
        for position in observation.eventIndex.positions(of: .anomalyRepetitiveTool) {
            let event = observation.events[position]
            guard let round = HostValue.roundNumber(event.payload["round_num"]), round >= firstRound else { continue }
            count += 1
            latest = event
        }
        guard let latest else { return [] }
        let tool = HostValue.string(latest.payload["tool_name"]).map(HostText.clip)
        let target = HostValue.string(latest.payload["target"]).map(HostText.clip)
        let repeats = HostValue.int(latest.payload["count"], in: 0...Int64(Int32.max)).map(String.init) ?? "None"
        let window = HostValue.int(latest.payload["window"], in: 0...Int64(Int32.max)).map(String.init) ?? "None"
        return [
            Alert(
                detector: name, severity: .warning,
                message:
                    "\(count) anomaly_repetitive_tool event(s) in last \(Self.windowRounds) rounds; latest: \(tool ?? "None") on \(PythonFormat.repr(target)) (\(repeats)x in window \(window))",
                context: [
                    "count": .int(Int64(count)),
                    "window_rounds": .int(Int64(Self.windowRounds)),
                    "latest_tool": tool.map(JSONValue.string) ?? .null,
                    "latest_target": target.map(JSONValue.string) ?? .null,
                ]
            )
        ]
    }
}
