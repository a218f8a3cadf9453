import FleetCore

/// `disk_warning` (warning): the log partition is filling up; rounds will start failing in
/// confusing ways (git, logs, the agent's own cache) once it is full.
///
/// Fires when `disk_warning_pct ≤ disk_used_pct < disk_critical_pct`. Message
/// `"disk_used_pct 91.2 >= 90.0"`, context `{value, threshold, hint}`, key `disk_warning`.
public struct DiskWarningDetector: Detector {
    public let name = "disk_warning"
    public init() {}

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        let policy = settings.policy
        guard let value = observation.latestDiskUsedPct, value >= policy.diskWarningPct, value < policy.diskCriticalPct
        else {
            return []
        }
        let logs = "~/.agent-runner/\(observation.project ?? "<project>")/logs/"
        return [
            Alert(
                detector: name, severity: .warning,
                message: "disk_used_pct \(PythonFormat.float(value)) >= \(PythonFormat.float(policy.diskWarningPct))",
                context: [
                    "value": .double(value), "threshold": .double(policy.diskWarningPct),
                    "hint": .string("Free space soon — clean \(logs)"),
                ]
            )
        ]
    }
}
