/// Where serve's memory defenses get their readings and make their one write: the machine
/// (``LiveMemorySampler``) or, in a test, a script of readings on a fake clock.
///
/// ``readHost()`` and ``readCgroup()`` run on every in-round tick: an implementation must not
/// allocate there (the live one reads into one fixed buffer).
public protocol MemorySampler: AnyObject {
    /// `/proc/meminfo`, `/proc/vmstat`, `/proc/pressure/memory` now.
    func readHost() -> HostMemoryReading
    /// Serve's own memory cgroup now; nil without a memory controller.
    func readCgroup() -> CgroupMemoryReading?
    /// What bounds serve's memory, once at boot (`host_cgroup_memory_limit`).
    func probe(brakeEnabled: Bool, agentIsContainer: Bool) -> CgroupMemoryFacts
    /// The brake's write to serve's cgroup v2 `memory.high`: milliseconds taken, or why not.
    func writeMemoryHigh(_ value: CgroupLimit) -> Result<Double, MemoryHighWriteError>
}

/// The machine's readings: serve's own cgroup (v1 `memory` controller or v2), located once.
public final class LiveMemorySampler: MemorySampler {
    let reader: MemoryReader
    /// Serve's cgroup files; nil without a memory controller.
    let files: CgroupMemoryFiles?

    public init(reader: MemoryReader = MemoryReader()) {
        self.reader = reader
        files = reader.locateCgroup().map(CgroupMemoryFiles.init)
    }

    public func readHost() -> HostMemoryReading { reader.readHost() }

    public func readCgroup() -> CgroupMemoryReading? {
        files.flatMap { reader.readCgroup($0) }
    }

    public func probe(brakeEnabled: Bool, agentIsContainer: Bool) -> CgroupMemoryFacts {
        let location = files?.location
        let leaf = files.flatMap { reader.readCgroup($0, includeStat: true) }
        let bound = location.flatMap { reader.boundingCgroup(of: $0) }
        return CgroupMemoryFacts.probe(
            location: location, leaf: leaf, bounding: bound?.location,
            boundingReading: bound.flatMap { reader.readCgroup(CgroupMemoryFiles($0.location)) },
            meminfo: reader.readHost().meminfo, memoryHighWritable: files.map(reader.isMemoryHighWritable) ?? false,
            brakeEnabled: brakeEnabled, agentIsContainer: agentIsContainer)
    }

    public func writeMemoryHigh(_ value: CgroupLimit) -> Result<Double, MemoryHighWriteError> {
        guard let files, files.location.version == .v2 else {
            return .failure(MemoryHighWriteError(path: "memory.high", errno: 95))  // EOPNOTSUPP: no v2 cgroup
        }
        return MemoryHighWriter().write(value, to: files.memoryHighPath)
    }
}

@available(*, unavailable)
extension LiveMemorySampler: Sendable {}

/// Makes serve's ``MemorySampler`` when serve starts (a sampler owns a buffer and belongs to
/// serve's loop thread, so the supervisor carries how to make one, not one).
public struct MemorySource: Sendable {
    public let make: @Sendable () -> any MemorySampler

    public init(_ make: @escaping @Sendable () -> any MemorySampler) {
        self.make = make
    }

    /// The machine's `/proc` and serve's own cgroup.
    public static let live = MemorySource { LiveMemorySampler() }
}
