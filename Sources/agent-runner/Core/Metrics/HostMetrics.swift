import FleetCore

/// One reading of the host's resources, as a line of `metrics-YYYY-MM.jsonl` (events.md §4).
///
/// These numbers feed peek's `system` block and, through it, the disk and memory detectors of
/// `monitor` and fleetctl. A value the host cannot provide is nil and written as `null` (PSI on a
/// kernel without `/proc/pressure`, inodes on a filesystem without them, the CPU share of the
/// first sample, which has no earlier reading to compare with).
public struct HostMetrics: Sendable, Equatable {
    public var memTotalMB: Int64 = 0
    public var memUsedPct: Double = 0
    public var memAvailableMB: Int64 = 0
    public var memFreeMB: Int64 = 0
    /// Cumulative bytes swapped out since boot (`pswpout` pages × page size).
    public var swapSout: Int64 = 0
    public var psiSomeAvg10: Double?
    public var psiFullAvg10: Double?
    public var psiFullTotal: Int64?
    public var ioPsiSomeAvg10: Double?
    public var ioPsiFullAvg10: Double?
    /// Size of the partition holding the log directory, GiB with one decimal.
    public var diskTotalGB: Double = 0
    /// Space available to unprivileged users on it, GiB with one decimal.
    public var diskFreeGB: Double = 0
    /// Used share of it, as `df` counts: used / (used + available), one decimal.
    public var diskUsedPct: Double = 0
    public var inodeUsedPct: Double?
    public var load1m: Double?
    public var load5m: Double?
    public var load15m: Double?
    /// Host-wide CPU busy share since the previous sample; nil for the first one.
    public var cpuPct: Double?
    /// Processes on the host whose command name is the agent's binary (`pgrep -xc <binary>`):
    /// more than one between rounds means an agent escaped its round.
    public var agentProcessCount: Int = 0

    public init() {}

    /// The metrics line's payload after `ts` and `event`, in the original's key order.
    public func payload(round: Int, phase: String?) -> JSONObject {
        func optional(_ value: Double?) -> JSONValue { value.map { .double($0) } ?? .null }
        var object = JSONObject([
            ("mem_total_mb", .int(memTotalMB)), ("mem_used_pct", .double(memUsedPct)),
            ("mem_available_mb", .int(memAvailableMB)), ("mem_free_mb", .int(memFreeMB)), ("swap_sout", .int(swapSout)),
            ("psi_some_avg10", optional(psiSomeAvg10)), ("psi_full_avg10", optional(psiFullAvg10)),
            ("psi_full_total", psiFullTotal.map { .int($0) } ?? .null),
            ("io_psi_some_avg10", optional(ioPsiSomeAvg10)), ("io_psi_full_avg10", optional(ioPsiFullAvg10)),
            ("disk_total_gb", .double(diskTotalGB)), ("disk_free_gb", .double(diskFreeGB)),
            ("disk_used_pct", .double(diskUsedPct)), ("inode_used_pct", optional(inodeUsedPct)),
            ("load_1m", optional(load1m)), ("load_5m", optional(load5m)), ("load_15m", optional(load15m)),
            ("cpu_pct", optional(cpuPct)), ("agent_process_count", .int(Int64(agentProcessCount))),
            ("round_num", .int(Int64(round))),
        ])
        if let phase { object["phase"] = .string(phase) }
        return object
    }

    /// Rounds to `decimals` places, as the original's `round(x, 1)`.
    static func rounded(_ value: Double, _ decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
