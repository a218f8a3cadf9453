/// The outcome of running the detectors over one observation.
public struct DetectorReport: Sendable, Equatable {
    /// Alerts in catalogue order (the original's detector order).
    public var alerts: [Alert]
    /// Detectors that threw, in catalogue order.
    public var errors: [DetectorFailure]

    public init(alerts: [Alert] = [], errors: [DetectorFailure] = []) {
        self.alerts = alerts
        self.errors = errors
    }
}
