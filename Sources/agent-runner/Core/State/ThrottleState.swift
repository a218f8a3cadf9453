import FleetCore

/// The provider throttle in force for one agent, derived from the event log alone so that it
/// survives a restart of serve (or of the whole host).
public struct ThrottleState: Sendable, Equatable {
    /// The newest unrecovered detection.
    public var error: TransientError
    /// Detections for this agent since its last successful round, not counting the newest.
    public var priorDetections: Int
    public var roundNum: Int?
    public var phase: String

    static let kinds: Set<String> = ["transient_error_detected", "transient_error_recovered", "agent_usage_recorded"]

    /// Pure derivation from events, newest first.
    public static func derive(
        newestFirst events: [Event], agent: String
    ) -> (active: ThrottleState?, detectionsSinceSuccess: Int) {
        var newest: Event?
        var detections = 0
        for event in events {
            let eventAgent = event.payload["agent"]?.stringValue
            guard eventAgent == agent else { continue }
            if event.kind == "agent_usage_recorded" {
                if event.payload["success"]?.boolValue == true { break }
                continue
            }
            if newest == nil { newest = event }
            if event.kind == "transient_error_detected" { detections += 1 }
        }
        guard let newest, newest.kind == "transient_error_detected",
            let classification = newest.payload["classification"]?.stringValue.flatMap(
                TransientError.Classification.init(rawValue:))
        else {
            return (nil, detections)
        }
        let reset = newest.payload["reset_at_epoch"]?.intValue ?? 0
        let state = ThrottleState(
            error: TransientError(
                classification: classification, resetAtEpoch: reset, raw: newest.payload["raw"]?.stringValue ?? ""),
            priorDetections: max(detections - 1, 0),
            roundNum: newest.payload["round_num"]?.intValue.flatMap { Int(exactly: $0) },
            phase: newest.payload["phase"]?.stringValue ?? "")
        return (state, detections)
    }
}
