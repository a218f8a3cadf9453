/// The files of a cgroup v2 directory with the memory controller enabled (Raspberry Pi OS
/// Bookworm, Debian 12, Ubuntu 22.04+, a systemd user service). Each field is nil when its file
/// is absent (`memory.peak` needs 5.19; `memory.swap.*` needs swap accounting).
public struct CgroupV2MemoryReading: Sendable, Equatable {
    /// `memory.current`.
    public var currentBytes: Int64?
    /// `memory.max`: the hard limit (the cgroup OOM-kills above it).
    public var max: CgroupLimit?
    /// `memory.high`: the throttle limit (reclaim and stalls above it, no kill) — the brake's lever.
    public var high: CgroupLimit?
    /// `memory.peak`: the high-water mark.
    public var peakBytes: Int64?
    /// `memory.swap.current`.
    public var swapCurrentBytes: Int64?
    /// `memory.swap.max`.
    public var swapMax: CgroupLimit?
    public var events: Events?
    /// `memory.pressure`: PSI of this cgroup alone.
    public var pressure: PressureReading?

    public init(
        currentBytes: Int64? = nil, max: CgroupLimit? = nil, high: CgroupLimit? = nil, peakBytes: Int64? = nil,
        swapCurrentBytes: Int64? = nil, swapMax: CgroupLimit? = nil, events: Events? = nil,
        pressure: PressureReading? = nil
    ) {
        self.currentBytes = currentBytes
        self.max = max
        self.high = high
        self.peakBytes = peakBytes
        self.swapCurrentBytes = swapCurrentBytes
        self.swapMax = swapMax
        self.events = events
        self.pressure = pressure
    }

    /// `memory.events`: how often the cgroup hit each boundary, counted since its creation.
    public struct Events: Sendable, Equatable {
        public var low: Int64 = 0
        /// Usage went over `memory.high` (throttled).
        public var high: Int64 = 0
        /// Usage was about to go over `memory.max`.
        public var max: Int64 = 0
        /// The OOM killer was invoked.
        public var oom: Int64 = 0
        /// A process was OOM-killed.
        public var oomKill: Int64 = 0
        public var oomGroupKill: Int64 = 0

        public init(
            low: Int64 = 0, high: Int64 = 0, max: Int64 = 0, oom: Int64 = 0, oomKill: Int64 = 0, oomGroupKill: Int64 = 0
        ) {
            self.low = low
            self.high = high
            self.max = max
            self.oom = oom
            self.oomKill = oomKill
            self.oomGroupKill = oomGroupKill
        }

        /// Parses `low 0` / `high 0` / `max 0` / `oom 0` / `oom_kill 0` / `oom_group_kill 0`;
        /// nil when none of them is there.
        public static func parse(_ bytes: UnsafeRawBufferPointer) -> Events? {
            var events = Events()
            var found = false
            ProcBytes.forEachLine(bytes) { line in
                let space = ProcBytes.space
                if let value = ProcBytes.field(bytes, line: line, "low", separator: space) {
                    events.low = value
                } else if let value = ProcBytes.field(bytes, line: line, "high", separator: space) {
                    events.high = value
                } else if let value = ProcBytes.field(bytes, line: line, "max", separator: space) {
                    events.max = value
                } else if let value = ProcBytes.field(bytes, line: line, "oom", separator: space) {
                    events.oom = value
                } else if let value = ProcBytes.field(bytes, line: line, "oom_kill", separator: space) {
                    events.oomKill = value
                } else if let value = ProcBytes.field(bytes, line: line, "oom_group_kill", separator: space) {
                    events.oomGroupKill = value
                } else {
                    return true
                }
                found = true
                return true
            }
            return found ? events : nil
        }
    }
}
