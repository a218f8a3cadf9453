import FleetCore
import Synchronization
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// Memory readings a test scripts on its fake clock, for serve's memory defenses: functions of
/// the time since the clock started (a test can also look at what its agents did by then).
/// Records what serve asked of it (host reads, `memory.high` writes).
final class ScriptedMemory: MemorySampler, Sendable {
    typealias Host = @Sendable (Duration) -> HostMemoryReading
    typealias Cgroup = @Sendable (Duration) -> CgroupMemoryReading?

    let clock: FakeClock
    private let host: Host
    private let cgroup: Cgroup
    private let facts: CgroupMemoryFacts
    private let recorded = Mutex<(hostReads: Int, writes: [CgroupLimit])>((0, []))

    init(
        clock: FakeClock, host: @escaping Host = { _ in .healthy }, cgroup: @escaping Cgroup = { _ in nil },
        facts: CgroupMemoryFacts = .unbounded
    ) {
        self.clock = clock
        self.host = host
        self.cgroup = cgroup
        self.facts = facts
    }

    /// A source that hands serve this sampler.
    var source: MemorySource { MemorySource { [self] in self } }

    func readHost() -> HostMemoryReading {
        recorded.withLock { $0.hostReads += 1 }
        return host(clock.elapsed)
    }

    func readCgroup() -> CgroupMemoryReading? { cgroup(clock.elapsed) }

    func probe(brakeEnabled: Bool, agentIsContainer: Bool) -> CgroupMemoryFacts { facts }

    func writeMemoryHigh(_ value: CgroupLimit) -> Result<Double, MemoryHighWriteError> {
        recorded.withLock { $0.writes.append(value) }
        return .success(1.5)
    }

    var hostReads: Int { recorded.withLock { $0.hostReads } }
    var writes: [CgroupLimit] { recorded.withLock { $0.writes } }
}

extension HostMemoryReading {
    /// PSI at zero: the ladder's ok.
    static let healthy = psi(full: 0, some: 0)
    /// PSI full avg10 above the default critical threshold (60).
    static let critical = psi(full: 72.5, some: 90)
    /// PSI some avg10 above the default warning threshold (5), full below critical.
    static let warning = psi(full: 1, some: 12)

    static func psi(full: Double, some: Double) -> HostMemoryReading {
        HostMemoryReading(
            meminfo: MeminfoReading(
                memTotalKB: 512 << 10, memFreeKB: 40 << 10, memAvailableKB: 120 << 10,
                swapTotalKB: 100 << 10, swapFreeKB: 80 << 10),
            vmstat: VmstatReading(swapOutPages: 1000, oomKills: 0),
            pressure: PressureReading(some: .init(avg10: some), full: .init(avg10: full)))
    }
}

extension CgroupMemoryFacts {
    /// No memory cgroup: nothing bounds serve, the floor is in charge.
    static let unbounded = CgroupMemoryFacts(
        location: nil, boundingDirectory: nil, memoryMax: nil, memorySwapMax: nil, memoryHigh: nil, delegated: nil,
        swapTotalBytes: 100 << 20, agentIsContainer: false, brake: .off)
}
