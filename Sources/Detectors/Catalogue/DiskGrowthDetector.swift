import FleetCore

/// `disk_growth` (warning): disk or inode usage is climbing fast, so the partition will fill up
/// long before disk_warning would say so on its own (a runaway log, a build cache explosion).
///
/// The baseline is the **oldest** sample whose timestamp lies within `window_s` before the latest
/// sample's; rates are percentage points per hour between the two. Needs two timestamped
/// samples at least a sixth of the window apart (5 minutes by default): over a few seconds, the
/// normal jitter of a busy disk extrapolates to absurd hourly rates. Fires when either rate reaches its threshold. Message
/// `"disk +6.0%/hr (>= 5.0) and inode +7.5%/hr (>= 5.0) over the last 1800s"` (the parts that
/// fired), context `{disk_pct_per_hr, disk_threshold_pct_per_hr, inode_pct_per_hr|null,
/// inode_threshold_pct_per_hr, window_s}`, key `disk_growth`.
public struct DiskGrowthDetector: Detector {
    /// `[monitor.host_health.disk]` growth settings.
    public struct Thresholds: Sendable, Equatable {
        public var windowS: Int = 1800
        public var diskPctPerHour: Double = 5.0
        public var inodePctPerHour: Double = 5.0
        public init() {}
    }

    public let name = "disk_growth"
    public init() {}

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        let thresholds = settings.diskGrowth
        guard thresholds.windowS > 0, let latest = observation.latestSample, let latestInstant = latest.instant else {
            return []
        }
        var baseline: (sample: SystemSample, elapsedS: Double)?
        for sample in observation.system.dropLast() {
            guard let instant = sample.instant else { continue }
            let elapsed =
                (Double(latestInstant.seconds) - Double(instant.seconds))
                + Double(Int64(latestInstant.nanoseconds) - Int64(instant.nanoseconds)) / 1e9
            if elapsed > 0, elapsed <= Double(thresholds.windowS) {
                baseline = (sample, elapsed)
                break
            }
        }
        guard let baseline, baseline.elapsedS >= Double(thresholds.windowS) / 6 else { return [] }
        let hours = baseline.elapsedS / 3600
        let diskRate = rate(from: baseline.sample.diskUsedPct, to: latest.diskUsedPct, hours: hours)
        let inodeRate = rate(from: baseline.sample.inodeUsedPct, to: latest.inodeUsedPct, hours: hours)
        var parts: [String] = []
        if let diskRate, diskRate >= thresholds.diskPctPerHour {
            parts.append(
                "disk +\(PythonFormat.fixed(diskRate, decimals: 1))%/hr (>= \(PythonFormat.float(thresholds.diskPctPerHour)))"
            )
        }
        if let inodeRate, inodeRate >= thresholds.inodePctPerHour {
            parts.append(
                "inode +\(PythonFormat.fixed(inodeRate, decimals: 1))%/hr (>= \(PythonFormat.float(thresholds.inodePctPerHour)))"
            )
        }
        guard !parts.isEmpty else { return [] }
        return [
            Alert(
                detector: name, severity: .warning,
                message: parts.joined(separator: " and ") + " over the last \(thresholds.windowS)s",
                context: [
                    "disk_pct_per_hr": diskRate.map(JSONValue.double) ?? .null,
                    "disk_threshold_pct_per_hr": .double(thresholds.diskPctPerHour),
                    "inode_pct_per_hr": inodeRate.map(JSONValue.double) ?? .null,
                    "inode_threshold_pct_per_hr": .double(thresholds.inodePctPerHour),
                    "window_s": .int(Int64(thresholds.windowS)),
                ]
            )
        ]
    }

    private func rate(from old: Double?, to new: Double?, hours: Double) -> Double? {
        guard let old, let new, hours > 0 else { return nil }
        let rate = (new - old) / hours
        return rate.isFinite ? rate : nil
    }
}
