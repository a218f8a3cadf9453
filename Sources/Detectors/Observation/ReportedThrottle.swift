/// A throttle the host itself reports as active (peek's `service.rate_limit`), already extended
/// by the host's back-off ladder. Used by rate_limit_active for agents whose transient events are
/// not in the event tail (a 0.3.14 host polled without `--events`, or a long throttle whose
/// `transient_error_detected` scrolled out of the tail).
public struct ReportedThrottle: Sendable, Equatable {
    /// Binary basename, e.g. `claude`.
    public var agent: String
    /// `limit_type`: `rate_limit_account`, `rate_limit_model`, `api_transient_5xx`, `api_timeout`…
    public var classification: String
    /// `throttled_until_epoch`, Unix seconds.
    public var untilEpoch: Int64

    public init(agent: String, classification: String, untilEpoch: Int64) {
        self.agent = agent
        self.classification = classification
        self.untilEpoch = untilEpoch
    }
}
