#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads the host's and a cgroup's memory files for the memory defenses: the only part of them
/// that touches the file system. Every decision takes the readings this returns.
///
/// ``readHost()`` and ``readCgroup(_:)`` are the per-tick path: they read into one reused
/// ``ProcFileBuffer`` and build nothing on the heap. ``locateCgroup(pid:)`` and
/// ``boundingCgroup(of:)`` run once per serve or per round and may.
///
/// Not thread-safe (it owns the buffer); one per sampling loop.
public final class MemoryReader {
    /// Where `/proc` is (tests point it at a fixture tree).
    public let procRoot: String
    public let pageSize: Int64
    private let buffer: ProcFileBuffer
    private let meminfoPath: ProcFilePath
    private let vmstatPath: ProcFilePath
    private let pressurePath: ProcFilePath

    public init(
        procRoot: String = "/proc", pageSize: Int64 = Int64(sysconf(Int32(_SC_PAGESIZE))),
        buffer: ProcFileBuffer = ProcFileBuffer()
    ) {
        self.procRoot = procRoot
        self.pageSize = pageSize
        self.buffer = buffer
        meminfoPath = ProcFilePath(procRoot + "/meminfo")
        vmstatPath = ProcFilePath(procRoot + "/vmstat")
        pressurePath = ProcFilePath(procRoot + "/pressure/memory")
    }

    /// `/proc/meminfo`, `/proc/vmstat` and `/proc/pressure/memory` now.
    public func readHost() -> HostMemoryReading {
        var reading = HostMemoryReading(pageSize: pageSize)
        if let bytes = buffer.read(meminfoPath) { reading.meminfo = MeminfoReading.parse(bytes) }
        if let bytes = buffer.read(vmstatPath) { reading.vmstat = VmstatReading.parse(bytes) }
        if let bytes = buffer.read(pressurePath) { reading.pressure = PressureReading.parse(bytes) }
        return reading
    }

    /// The cgroup's memory files now; nil when its usage file is unreadable (the controller is
    /// not enabled there, or the cgroup is gone). `memory.stat` is read only when asked (v1's
    /// hierarchical limit at boot): it is the largest file and no tick needs it.
    public func readCgroup(_ files: CgroupMemoryFiles, includeStat: Bool = false) -> CgroupMemoryReading? {
        guard let current = buffer.read(files.current).flatMap(ProcBytes.counter) else { return nil }
        switch files.location.version {
        case .v2:
            var reading = CgroupV2MemoryReading(currentBytes: current)
            reading.max = buffer.read(files.limit).flatMap(CgroupLimit.parse)
            reading.high = buffer.read(files.high).flatMap(CgroupLimit.parse)
            reading.peakBytes = buffer.read(files.peak).flatMap(ProcBytes.counter)
            reading.swapCurrentBytes = buffer.read(files.swapCurrent).flatMap(ProcBytes.counter)
            reading.swapMax = buffer.read(files.swapLimit).flatMap(CgroupLimit.parse)
            reading.events = buffer.read(files.events).flatMap(CgroupV2MemoryReading.Events.parse)
            reading.pressure = buffer.read(files.pressure).flatMap(PressureReading.parse)
            return .v2(reading)
        case .v1:
            var reading = CgroupV1MemoryReading(usageBytes: current)
            reading.limit = buffer.read(files.limit).flatMap(CgroupLimit.parse)
            reading.maxUsageBytes = buffer.read(files.peak).flatMap(ProcBytes.counter)
            reading.failCount = buffer.read(files.failCount).flatMap(ProcBytes.counter)
            reading.memswUsageBytes = buffer.read(files.swapCurrent).flatMap(ProcBytes.counter)
            reading.memswLimit = buffer.read(files.swapLimit).flatMap(CgroupLimit.parse)
            reading.oomControl = buffer.read(files.oomControl).map(CgroupV1MemoryReading.OOMControl.parse)
            if includeStat { reading.stat = buffer.read(files.stat).map(CgroupV1MemoryReading.Stat.parse) }
            return .v1(reading)
        }
    }

    /// The memory cgroup of `pid` (nil: this process): the v1 `memory` controller's when the
    /// host binds it to v1, else the v2 one when its directory has `memory.current`; nil when
    /// neither (no cgroup file system, or a v2 root, which has no memory files).
    public func locateCgroup(pid: Int32? = nil) -> CgroupLocation? {
        let cgroupFile = procRoot + "/" + (pid.map { String($0) } ?? "self") + "/cgroup"
        guard let procCgroup = ProcText.read(cgroupFile, limit: 64 << 10),
            let mountinfo = ProcText.read(procRoot + "/self/mountinfo", limit: 1 << 20)
        else { return nil }
        let candidates = CgroupLocation.candidates(procCgroup: procCgroup, mountinfo: mountinfo)
        if let v1 = candidates.v1, access(CgroupMemoryFiles(v1).current.path, F_OK) == 0 { return v1 }
        if let v2 = candidates.v2, access(CgroupMemoryFiles(v2).current.path, F_OK) == 0 { return v2 }
        return nil
    }

    /// The nearest cgroup from `location` up that has a finite hard limit, and that limit: what
    /// really bounds the processes in `location`. nil when nothing up to the root does.
    public func boundingCgroup(of location: CgroupLocation) -> (location: CgroupLocation, limitBytes: Int64)? {
        for directory in location.ancestry {
            let candidate = CgroupLocation(
                version: location.version, cgroupPath: location.cgroupPath, directory: directory,
                mountPoint: location.mountPoint)
            if let limit = buffer.read(CgroupMemoryFiles(candidate).limit).flatMap(CgroupLimit.parse)?.bytes {
                return (candidate, limit)
            }
        }
        return nil
    }

    /// Whether this process may write the cgroup's `memory.high` (a delegated v2 cgroup, e.g. a
    /// systemd user service with `Delegate=yes`).
    public func isMemoryHighWritable(_ files: CgroupMemoryFiles) -> Bool {
        files.location.version == .v2 && access(files.memoryHighPath, W_OK) == 0
    }
}

@available(*, unavailable)
extension MemoryReader: Sendable {}
