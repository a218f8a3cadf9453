import FleetCore

/// The names of the anomaly detectors, shared by the inventory's validation and the Detectors library.
public enum DetectorNames {
    public static let all = [
        "timeout_rate", "hung", "orphan_chain", "disk_warning", "disk_critical", "disk_growth", "mem_pressure",
        "mem_signal_unavailable", "mem_pressure_gate_inert", "oauth_fail", "network_fail", "rate_limit_active",
        "anomaly_repetitive_active", "supervisor_stale", "monitor_remote_giveup",
    ]

    /// `'hungg' is not a detector; did you mean 'hung'? (known: ...)`: how every place that takes
    /// a detector name (the inventory's lists, `silence --detector`) refuses a wrong one.
    public static func unknown(_ name: String) -> String {
        "'\(name)' is not a detector" + ClosestName.suggestion(for: name, in: all)
            + " (known: \(all.joined(separator: ", ")))"
    }
}
