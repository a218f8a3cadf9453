/// The file paths of one cgroup's memory controller, built once so a per-tick read builds no
/// String.
public struct CgroupMemoryFiles: Sendable, Equatable {
    public let location: CgroupLocation
    let current: ProcFilePath
    let limit: ProcFilePath
    let peak: ProcFilePath
    let high: ProcFilePath
    let swapCurrent: ProcFilePath
    let swapLimit: ProcFilePath
    let events: ProcFilePath
    let failCount: ProcFilePath
    let stat: ProcFilePath
    let oomControl: ProcFilePath
    let pressure: ProcFilePath

    public init(_ location: CgroupLocation) {
        self.location = location
        let directory = location.directory + "/"
        switch location.version {
        case .v2:
            current = ProcFilePath(directory + "memory.current")
            limit = ProcFilePath(directory + "memory.max")
            peak = ProcFilePath(directory + "memory.peak")
            high = ProcFilePath(directory + "memory.high")
            swapCurrent = ProcFilePath(directory + "memory.swap.current")
            swapLimit = ProcFilePath(directory + "memory.swap.max")
            events = ProcFilePath(directory + "memory.events")
            pressure = ProcFilePath(directory + "memory.pressure")
            failCount = ProcFilePath("")
            stat = ProcFilePath(directory + "memory.stat")
            oomControl = ProcFilePath("")
        case .v1:
            current = ProcFilePath(directory + "memory.usage_in_bytes")
            limit = ProcFilePath(directory + "memory.limit_in_bytes")
            peak = ProcFilePath(directory + "memory.max_usage_in_bytes")
            high = ProcFilePath("")
            swapCurrent = ProcFilePath(directory + "memory.memsw.usage_in_bytes")
            swapLimit = ProcFilePath(directory + "memory.memsw.limit_in_bytes")
            events = ProcFilePath("")
            pressure = ProcFilePath("")
            failCount = ProcFilePath(directory + "memory.failcnt")
            stat = ProcFilePath(directory + "memory.stat")
            oomControl = ProcFilePath(directory + "memory.oom_control")
        }
    }

    /// `memory.high`, the file the brake writes (v2 only; "" on v1).
    public var memoryHighPath: String { high.path }
}
