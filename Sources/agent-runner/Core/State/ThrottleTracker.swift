/// serve's in-memory view of the provider throttle of one agent (``AgentThrottles`` keeps one per
/// agent): seeded once from the event log at boot (so a restart keeps a throttle), then kept
/// current from each round's result, so the gate before every round costs nothing however large
/// the log has grown.
public struct ThrottleTracker: Sendable, Equatable {
    /// The unrecovered detection, if any.
    public private(set) var active: TransientError?
    /// Detections since the agent's last successful round (a recovery does not reset it: a
    /// provider that throttles again right after a back-off gets a longer one).
    public private(set) var detectionsSinceSuccess: Int

    public init(active: TransientError? = nil, detectionsSinceSuccess: Int = 0) {
        self.active = active
        self.detectionsSinceSuccess = detectionsSinceSuccess
    }

    /// Detections before the newest one, as the back-off planner counts them.
    public var priorDetections: Int { max(detectionsSinceSuccess - 1, 0) }

    public mutating func detected(_ error: TransientError) {
        active = error
        detectionsSinceSuccess += 1
    }

    public mutating func recovered() {
        active = nil
    }

    public mutating func succeeded() {
        detectionsSinceSuccess = 0
    }
}
