import Detectors
import FleetCore

/// How one host's alerts are judged: its detector thresholds, auto-stop policy, hold and
/// repeat times, and its remote-failure tolerance.
public struct MonitorPolicy: Sendable, Equatable {
    public var detectors: DetectorPolicy
    public var autoStop: AutoStopPolicy
    /// `alert_for_s`: how long an alert must be present before it fires.
    public var holdS: Double
    /// `alert_repeat_s`: how often a firing alert is notified again; 0 = never.
    public var repeatS: Double
    /// `remote_failure_tolerance_s`.
    public var toleranceS: Int
    /// How long a host must stay reachable before a failure episode ends: two poll intervals,
    /// at most the tolerance's default settle (60 s), so a flapping host is one episode.
    public var settleS: Double

    public init(
        detectors: DetectorPolicy = .init(), autoStop: AutoStopPolicy = .init(), holdS: Double = 0,
        repeatS: Double = 3600, toleranceS: Int = 90, settleS: Double = 60
    ) {
        self.detectors = detectors
        self.autoStop = autoStop
        self.holdS = holdS
        self.repeatS = repeatS
        self.toleranceS = toleranceS
        self.settleS = settleS
    }

    /// The settle time for a poll interval: two intervals, at most the tolerance's default.
    public static func settle(pollIntervalS: Double) -> Double {
        min(RemoteFailureTolerance.defaultSettleS, pollIntervalS * 2)
    }
}
