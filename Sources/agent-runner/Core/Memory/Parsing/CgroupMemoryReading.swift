/// One reading of the memory controller of a cgroup, v1 or v2, with the few questions the
/// defenses ask answered the same way for both.
public enum CgroupMemoryReading: Sendable, Equatable {
    case v1(CgroupV1MemoryReading)
    case v2(CgroupV2MemoryReading)

    /// Memory charged to the cgroup now (v2 `memory.current`, v1 `memory.usage_in_bytes`).
    public var currentBytes: Int64? {
        switch self {
        case .v1(let reading): reading.usageBytes
        case .v2(let reading): reading.currentBytes
        }
    }

    /// The hard limit (v2 `memory.max`, v1 `memory.limit_in_bytes`).
    public var limit: CgroupLimit? {
        switch self {
        case .v1(let reading): reading.limit
        case .v2(let reading): reading.max
        }
    }

    /// Whether swap is bounded too: v2 `memory.swap.max`, v1 `memory.memsw.limit_in_bytes`
    /// (memory plus swap). nil when the kernel does not account swap.
    public var swapLimit: CgroupLimit? {
        switch self {
        case .v1(let reading): reading.memswLimit
        case .v2(let reading): reading.swapMax
        }
    }

    /// Swap used by the cgroup (v1: memory+swap usage minus memory usage).
    public var swapCurrentBytes: Int64? {
        switch self {
        case .v1(let reading):
            guard let total = reading.memswUsageBytes, let memory = reading.usageBytes else { return nil }
            return max(0, total - memory)
        case .v2(let reading):
            return reading.swapCurrentBytes
        }
    }

    /// The kernel's own high-water mark (v2 `memory.peak`, v1 `memory.max_usage_in_bytes`).
    public var peakBytes: Int64? {
        switch self {
        case .v1(let reading): reading.maxUsageBytes
        case .v2(let reading): reading.peakBytes
        }
    }

    /// `memory.high` (v2 only: v1 has no throttle limit).
    public var memoryHigh: CgroupLimit? {
        if case .v2(let reading) = self { return reading.high }
        return nil
    }

    /// Boundary counters since the cgroup's creation. v1 has fewer: `max` is `memory.failcnt`,
    /// and `oom` and `oom_kill` are both `memory.oom_control`'s `oom_kill`.
    public var counters: CgroupMemoryCounters? {
        switch self {
        case .v1(let reading):
            guard reading.failCount != nil || reading.oomControl?.oomKills != nil else { return nil }
            let kills = reading.oomControl?.oomKills ?? 0
            return CgroupMemoryCounters(high: 0, max: reading.failCount ?? 0, oom: kills, oomKill: kills)
        case .v2(let reading):
            guard let events = reading.events else { return nil }
            return CgroupMemoryCounters(high: events.high, max: events.max, oom: events.oom, oomKill: events.oomKill)
        }
    }
}

/// The boundary counters `round_cgroup_memory` reports as deltas.
public struct CgroupMemoryCounters: Sendable, Equatable {
    public var high: Int64
    public var max: Int64
    public var oom: Int64
    public var oomKill: Int64

    public init(high: Int64 = 0, max: Int64 = 0, oom: Int64 = 0, oomKill: Int64 = 0) {
        self.high = high
        self.max = max
        self.oom = oom
        self.oomKill = oomKill
    }
}
