import FleetCore

/// `disk_critical` (critical, asks for a stop): the log partition is nearly full; stopping the
/// service prevents half-written state and a burst of failing rounds.
///
/// Fires when `disk_used_pct ≥ disk_critical_pct`. Message
/// `"disk_used_pct 96.0 >= 95.0 — auto-stopping service"`, context `{value, threshold, hint}`,
/// key `disk_critical`.
public struct DiskCriticalDetector: Detector {
    public let name = "disk_critical"
    public init() {}

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        let threshold = settings.policy.diskCriticalPct
        guard let value = observation.latestDiskUsedPct, value >= threshold else { return [] }
        return [
            Alert(
                detector: name, severity: .critical,
                message:
                    "disk_used_pct \(PythonFormat.float(value)) >= \(PythonFormat.float(threshold)) — auto-stopping service",
                context: [
                    "value": .double(value), "threshold": .double(threshold),
                    "hint": .string("Stop and clean disk before resuming"),
                ],
                requestsStop: true
            )
        ]
    }
}
