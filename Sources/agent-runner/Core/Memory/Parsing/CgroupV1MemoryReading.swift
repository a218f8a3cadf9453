/// The files of a cgroup v1 `memory` controller directory (Debian 11 and older, many VPS kernels,
/// Docker on a v1 host). Each field is nil when its file is absent (`memory.memsw.*` needs
/// `swapaccount=1`).
public struct CgroupV1MemoryReading: Sendable, Equatable {
    /// `memory.usage_in_bytes`.
    public var usageBytes: Int64?
    /// `memory.limit_in_bytes`.
    public var limit: CgroupLimit?
    /// `memory.max_usage_in_bytes`: the high-water mark since creation (or the last reset).
    public var maxUsageBytes: Int64?
    /// `memory.failcnt`: how often usage hit the limit.
    public var failCount: Int64?
    /// `memory.memsw.usage_in_bytes`: memory plus swap.
    public var memswUsageBytes: Int64?
    /// `memory.memsw.limit_in_bytes`: the memory-plus-swap limit.
    public var memswLimit: CgroupLimit?
    public var stat: Stat?
    public var oomControl: OOMControl?

    public init(
        usageBytes: Int64? = nil, limit: CgroupLimit? = nil, maxUsageBytes: Int64? = nil, failCount: Int64? = nil,
        memswUsageBytes: Int64? = nil, memswLimit: CgroupLimit? = nil, stat: Stat? = nil, oomControl: OOMControl? = nil
    ) {
        self.usageBytes = usageBytes
        self.limit = limit
        self.maxUsageBytes = maxUsageBytes
        self.failCount = failCount
        self.memswUsageBytes = memswUsageBytes
        self.memswLimit = memswLimit
        self.stat = stat
        self.oomControl = oomControl
    }

    /// `memory.stat`: the fields the defenses use (`total_*` include descendant cgroups).
    public struct Stat: Sendable, Equatable {
        public var rss: Int64?
        public var cache: Int64?
        public var swap: Int64?
        public var totalRSS: Int64?
        public var totalCache: Int64?
        public var totalSwap: Int64?
        /// The tightest limit of this cgroup and its ancestors: what really bounds it.
        public var hierarchicalMemoryLimit: CgroupLimit?
        public var hierarchicalMemswLimit: CgroupLimit?

        public init() {}

        public static func parse(_ bytes: UnsafeRawBufferPointer) -> Stat {
            var stat = Stat()
            ProcBytes.forEachLine(bytes) { line in
                let space = ProcBytes.space
                if let value = ProcBytes.field(bytes, line: line, "rss", separator: space) {
                    stat.rss = value
                } else if let value = ProcBytes.field(bytes, line: line, "cache", separator: space) {
                    stat.cache = value
                } else if let value = ProcBytes.field(bytes, line: line, "swap", separator: space) {
                    stat.swap = value
                } else if let value = ProcBytes.field(bytes, line: line, "total_rss", separator: space) {
                    stat.totalRSS = value
                } else if let value = ProcBytes.field(bytes, line: line, "total_cache", separator: space) {
                    stat.totalCache = value
                } else if let value = ProcBytes.field(bytes, line: line, "total_swap", separator: space) {
                    stat.totalSwap = value
                } else if let value = ProcBytes.field(bytes, line: line, "hierarchical_memory_limit", separator: space)
                {
                    stat.hierarchicalMemoryLimit = CgroupLimit.limit(value)
                } else if let value = ProcBytes.field(bytes, line: line, "hierarchical_memsw_limit", separator: space) {
                    stat.hierarchicalMemswLimit = CgroupLimit.limit(value)
                }
                return true
            }
            return stat
        }
    }

    /// `memory.oom_control`: `oom_kill_disable 0`, `under_oom 0`, `oom_kill 1` (4.13+).
    public struct OOMControl: Sendable, Equatable {
        public var oomKillDisabled: Bool
        public var underOOM: Bool
        /// OOM kills in this cgroup since its creation; nil on kernels before 4.13.
        public var oomKills: Int64?

        public init(oomKillDisabled: Bool = false, underOOM: Bool = false, oomKills: Int64? = nil) {
            self.oomKillDisabled = oomKillDisabled
            self.underOOM = underOOM
            self.oomKills = oomKills
        }

        public static func parse(_ bytes: UnsafeRawBufferPointer) -> OOMControl {
            var control = OOMControl()
            ProcBytes.forEachLine(bytes) { line in
                if let value = ProcBytes.field(bytes, line: line, "oom_kill_disable", separator: ProcBytes.space) {
                    control.oomKillDisabled = value != 0
                } else if let value = ProcBytes.field(bytes, line: line, "under_oom", separator: ProcBytes.space) {
                    control.underOOM = value != 0
                } else if let value = ProcBytes.field(bytes, line: line, "oom_kill", separator: ProcBytes.space) {
                    control.oomKills = value
                }
                return true
            }
            return control
        }
    }
}
