/// Detector thresholds as fleetctl applies them to a host (the original hard-codes most).
public struct DetectorPolicy: Sendable, Equatable {
    public var diskWarningPct: Double = 90
    public var diskCriticalPct: Double = 95
    /// nil = derived from the host's round timeout (× 1.5); 0 = off.
    public var supervisorStaleThresholdS: Int?
    /// How many recent rounds the rate detectors look at.
    public var window: Int = 10
    /// Fraction of the window that must match for timeout_rate / oauth_fail / network_fail.
    public var rateThreshold: Double = 0.2
    /// A round shorter than this counts as a short exit.
    public var shortExitS: Double = 60
    public var hungFactor: Double = 1.5
    public var orphanStreak: Int = 3
    /// Detectors switched off for this host.
    public var disabled: [String] = []
    public init() {}
}
