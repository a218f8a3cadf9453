/// How long serve waits before the next round while the provider throttles the agent.
public struct BackoffPlan: Sendable, Equatable {
    /// When the throttle is expected to end (Unix seconds), after any escalation.
    public var appliedResetEpoch: Int64
    /// Seconds to sleep from now: until the reset plus jitter, capped at ``BackoffPlanner/sleepCapS``.
    public var sleepS: Int64
    /// Set when the plan escalated or capped the provider's value (`transient_error_backoff_capped`).
    public var capped: Capped?

    public struct Capped: Sendable, Equatable {
        public var requestedSleepS: Int64
        public var appliedSleepS: Int64
        public var originalResetEpoch: Int64
        public var consecutiveCount: Int
        public var cappedByAbsoluteMax: Bool
    }
}

/// Plans back-off from a detected transient error. Pure: time and jitter are inputs.
///
/// The detected reset is honoured (the original anchored estimated back-offs to the moment serve
/// reached its gate and could wake before the provider's own reset). Repeated estimated
/// throttles without a successful round in between escalate: `base × (2^n − 1)` is added to the
/// detected reset, capped at 30 minutes. The whole sleep is capped at 8 hours, whatever a
/// malformed reset says.
public enum BackoffPlanner {
    public static let exponentCap = 5
    public static let escalationCapS: Int64 = 1800
    public static let sleepCapS: Int64 = 8 * 3600
    /// Default jitter range added after the reset, so a fleet does not hammer the provider in
    /// step (`[runtime] backoff_jitter_s` sets the upper bound).
    public static let jitterRangeS: ClosedRange<Int64> = 5...30

    /// - Parameters:
    ///   - error: the newest unrecovered detection.
    ///   - priorDetections: detections for the same agent since its last successful round, not
    ///     counting this one (0 for the first).
    ///   - now: Unix seconds.
    ///   - jitterS: a value from ``jitterRangeS``.
    public static func plan(for error: TransientError, priorDetections: Int, now: Int64, jitterS: Int64) -> BackoffPlan
    {
        var reset = error.resetAtEpoch
        if reset < 0 || reset > now + 366 * 86_400 { reset = now }
        var escalated = false
        var escalationCapped = false
        if let base = error.classification.baseBackoffS, priorDetections > 0 {
            let exponent = min(priorDetections, exponentCap)
            var extra = Int64(base) * ((1 << Int64(exponent)) - 1)
            if extra > escalationCapS {
                extra = escalationCapS
                escalationCapped = true
            }
            reset += extra
            escalated = true
        }
        let requested = max(reset + jitterS - now, 0)
        let sleep = min(requested, sleepCapS)
        var capped: BackoffPlan.Capped?
        if escalated || sleep < requested {
            capped = .init(
                requestedSleepS: requested, appliedSleepS: sleep, originalResetEpoch: error.resetAtEpoch,
                consecutiveCount: priorDetections + 1, cappedByAbsoluteMax: escalationCapped || sleep < requested)
        }
        return BackoffPlan(appliedResetEpoch: reset, sleepS: sleep, capped: capped)
    }
}
