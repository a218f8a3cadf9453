import FleetCore

/// Reads `[monitor.host_health]`: the `disk`, `memory`, `pressure` and `brake` sub-tables, and
/// the flat keys of 0.2.x (`mem_avail_min_mb = 300`) with the meaning of the sub-table key that
/// replaced each (``ConfigSpellings/hostHealthRelocations``). One validation per threshold,
/// whichever way it is spelt, so a 0.2.x file is held to the same bounds as a current one.
enum HostHealthReader {
    typealias Health = AgentRunnerConfig.HostHealth

    /// Each sub-table and its keys, in the order of the documentation.
    static let tables: [(name: String, keys: [String])] = [
        (
            "disk",
            [
                "warning_pct", "critical_pct", "growth_window_s", "disk_growth_pct_per_hr_warning",
                "inode_growth_pct_per_hr_warning",
            ]
        ),
        ("memory", ["avail_min_mb", "free_low_mb", "swap_out_noise_floor_mb"]),
        (
            "pressure",
            [
                "full_avg10_critical", "some_avg10_warning", "critical_consecutive_samples",
                "in_round_terminate", "cgroup_growth_rate_warning_mb_per_min", "in_round_nudge",
            ]
        ),
        ("brake", ["memory_high", "memory_high_step_pct", "warning_consecutive_samples"]),
    ]

    static func read(_ reader: inout TOMLFieldReader) throws(ConfigError) -> Health {
        var health = Health()
        let flat = ConfigSpellings.hostHealthRelocations
        try reader.rejectUnknownKeys(allowed: tables.map(\.name) + flat.map(\.old))
        var disk: TOMLFieldReader?
        for (name, keys) in tables {
            guard var table = try reader.table(name) else { continue }
            try table.rejectUnknownKeys(allowed: keys)
            for key in keys {
                try read("\(name).\(key)", key: key, from: &table, into: &health)
            }
            reader.absorb(table)
            if name == "disk" { disk = table }
        }
        for relocation in flat where reader.contains(relocation.old) {
            if case .table(let sub)? = reader.table[relocation.table], sub[relocation.key] != nil {
                throw reader.error(
                    relocation.old,
                    "is the 0.2.x name of monitor.host_health.\(relocation.target), "
                        + "which is set too; delete this line")
            }
            try read(relocation.target, key: relocation.old, from: &reader, into: &health)
        }
        if health.diskWarningPct > health.diskCriticalPct {
            let message = "(\(health.diskWarningPct)) must not exceed critical_pct (\(health.diskCriticalPct))"
            if reader.contains("disk_warning_pct") { throw reader.error("disk_warning_pct", message) }
            if let disk { throw disk.error("warning_pct", message) }
            throw reader.error(reader.contains("disk_critical_pct") ? "disk_critical_pct" : nil, message)
        }
        return health
    }

    /// Reads `key` of `reader` as the threshold `target` (`memory.avail_min_mb`).
    private static func read(
        _ target: String, key: String, from reader: inout TOMLFieldReader,
        into health: inout Health
    ) throws(ConfigError) {
        let pct = "a percentage from 0 to 100"
        let posPct = "a percentage above 0 and at most 100"
        let posFloat = "a number above 0"
        let anyPositive = 0...Double.greatestFiniteMagnitude
        switch target {
        case "disk.warning_pct":
            health.diskWarningPct = try reader.number(key, in: 0...100, requirement: pct) ?? health.diskWarningPct
        case "disk.critical_pct":
            health.diskCriticalPct = try reader.number(key, in: 0...100, requirement: pct) ?? health.diskCriticalPct
        case "disk.growth_window_s":
            health.diskGrowthWindowS = try reader.positiveInt(key) ?? health.diskGrowthWindowS
        case "disk.disk_growth_pct_per_hr_warning":
            health.diskGrowthPctPerHrWarning =
                try reader.number(
                    key, in: anyPositive, requirement: posFloat, allowLowerBound: false)
                ?? health.diskGrowthPctPerHrWarning
        case "disk.inode_growth_pct_per_hr_warning":
            health.inodeGrowthPctPerHrWarning =
                try reader.number(
                    key, in: anyPositive, requirement: posFloat, allowLowerBound: false)
                ?? health.inodeGrowthPctPerHrWarning
        case "memory.avail_min_mb":
            health.memoryAvailMinMB = try reader.nonNegativeInt(key) ?? health.memoryAvailMinMB
        case "memory.free_low_mb":
            health.memoryFreeLowMB = try reader.positiveInt(key) ?? health.memoryFreeLowMB
        case "memory.swap_out_noise_floor_mb":
            health.memorySwapOutNoiseFloorMB = try reader.positiveInt(key) ?? health.memorySwapOutNoiseFloorMB
        case "pressure.full_avg10_critical":
            health.pressureFullAvg10Critical =
                try reader.number(
                    key, in: 0...100, requirement: posPct, allowLowerBound: false) ?? health.pressureFullAvg10Critical
        case "pressure.some_avg10_warning":
            health.pressureSomeAvg10Warning =
                try reader.number(
                    key, in: 0...100, requirement: posPct, allowLowerBound: false) ?? health.pressureSomeAvg10Warning
        case "pressure.critical_consecutive_samples":
            health.pressureCriticalConsecutiveSamples =
                try reader.positiveInt(key)
                ?? health.pressureCriticalConsecutiveSamples
        case "pressure.in_round_terminate":
            health.pressureInRoundTerminate = try reader.bool(key) ?? health.pressureInRoundTerminate
        case "pressure.cgroup_growth_rate_warning_mb_per_min":
            health.pressureCgroupGrowthRateWarningMBPerMin =
                try reader.number(
                    key, in: anyPositive, requirement: posFloat, allowLowerBound: false)
                ?? health.pressureCgroupGrowthRateWarningMBPerMin
        case "pressure.in_round_nudge":
            health.pressureInRoundNudge = try reader.bool(key) ?? health.pressureInRoundNudge
        case "brake.memory_high":
            health.brakeMemoryHigh = try reader.bool(key) ?? health.brakeMemoryHigh
        case "brake.memory_high_step_pct":
            health.brakeMemoryHighStepPct =
                try reader.integer(
                    key, in: 0...50, requirement: "an integer from 0 to 50") ?? health.brakeMemoryHighStepPct
        case "brake.warning_consecutive_samples":
            health.brakeWarningConsecutiveSamples = try reader.positiveInt(key) ?? health.brakeWarningConsecutiveSamples
        default:
            preconditionFailure("no host_health threshold named \(target)")
        }
    }
}
