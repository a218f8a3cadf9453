import FleetCore

/// Runs a list of detectors over a host observation, each isolated from the others.
///
/// Usage, once per host per poll:
/// ```
/// let report = DetectorSuite.run(observation, policy: host.settings.detectors)
/// ```
public struct DetectorSuite: Sendable {
    /// The 14 alert kinds of detectors.md §3, in the original's order.
    public static let catalogue: [any Detector] = [
        TimeoutRateDetector(), HungDetector(), OrphanChainDetector(), DiskWarningDetector(), DiskCriticalDetector(),
        DiskGrowthDetector(), MemPressureDetector(), MemSignalUnavailableDetector(), MemPressureGateInertDetector(),
        OAuthFailDetector(), NetworkFailDetector(), RateLimitActiveDetector(), AnomalyRepetitiveActiveDetector(),
        SupervisorStaleDetector(),
    ]

    /// The full catalogue.
    public static let standard = DetectorSuite()

    /// Most alerts one detector may raise per run. Only per-agent and per-key detectors can raise
    /// several; the cap stops a hostile host from flooding hooks with thousands of fake agents.
    public static let maxAlertsPerDetector = 16

    /// The detectors run, in order.
    public var detectors: [any Detector]

    /// A suite of `detectors` (tests inject failing or extra ones).
    public init(detectors: [any Detector] = DetectorSuite.catalogue) {
        self.detectors = detectors
    }

    /// Runs every detector not disabled by `settings.policy.disabled`.
    public func run(_ observation: HostObservation, settings: DetectorSettings) -> DetectorReport {
        var report = DetectorReport()
        let disabled = settings.policy.disabled
        for detector in detectors where !disabled.contains(detector.name) {
            do {
                let alerts = try detector.detect(observation, settings: settings)
                report.alerts.append(contentsOf: alerts.prefix(Self.maxAlertsPerDetector))
            } catch {
                report.errors.append(DetectorFailure(detector: detector.name, message: "\(type(of: error)): \(error)"))
            }
        }
        return report
    }

    /// Runs the full catalogue with `policy` and the default memory and disk-growth thresholds.
    public static func run(_ observation: HostObservation, policy: DetectorPolicy) -> DetectorReport {
        standard.run(observation, settings: DetectorSettings(policy: policy))
    }
}
