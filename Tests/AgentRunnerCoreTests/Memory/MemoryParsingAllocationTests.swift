import FleetCore
import Foundation
import Glibc
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// The per-tick sampling path makes no allocation: the parsers walk a reused buffer. Proven by
/// counting mallocs with glibc's tracer (``MallocTrace``) over 2,000 samples. What a tick costs
/// is measured by `fleet-bench memory-sampler` in a release build, not here.
final class MemoryParsingAllocationTests: XCTestCase {
    static let iterations = 2_000

    func testTheTraceSeesAllocations() throws {
        let count = try allocations("control")
        XCTAssertGreaterThanOrEqual(
            count, Self.iterations, "2,000 arrays must show as 2,000 mallocs, or a zero below proves nothing")
    }

    func testParsingRecordedFilesAllocatesNothing() throws {
        try assertNoAllocationPerSample("parse", "parsing must not allocate per sample")
    }

    func testReadingThisHostAllocatesNothing() throws {
        try assertNoAllocationPerSample("read-host", "read(2) into the fixed buffer and parse must not allocate")
    }

    func testReadingThisHostsCgroupAllocatesNothing() throws {
        guard MemoryReader().locateCgroup() != nil else {
            return XCTFail(
                "no memory cgroup visible on this host; the memory defenses need cgroup v1's memory controller or cgroup v2"
            )
        }
        try assertNoAllocationPerSample("read-cgroup", "a cgroup tick must not allocate")
    }

    func testAnInRoundMemoryTickAllocatesNothing() throws {
        try assertNoAllocationPerSample(
            "round-tick", "serve's 10 s tick (read, classify, watch, ledger) must not allocate")
    }

    /// The child side: traces 2,000 samples of each mode named in `AGENT_RUNNER_MALLOC_PROBE`,
    /// each into `<AGENT_RUNNER_MALLOC_DIR>/<mode>.trace`. Run in the suite itself (no variable),
    /// it runs the parse loop untraced: the sampling loop works.
    func testMallocProbe() throws {
        let environment = ProcessInfo.processInfo.environment
        let files = RecordedFiles()
        defer { files.deallocate() }
        let reader = MemoryReader()
        let cgroup = reader.locateCgroup().map(CgroupMemoryFiles.init)
        guard let modes = environment[MallocTrace.probeVariable]?.split(separator: ","),
            let directory = environment[MallocTrace.directoryVariable]
        else {
            var checksum: Int64 = 0
            for _ in 0..<100 { checksum &+= files.sample() }
            XCTAssertEqual(checksum, 100 * RecordedFiles.expectedChecksum)
            return
        }
        for mode in modes {
            var checksum: Int64 = 0
            var arrays: [[Int]] = []
            arrays.reserveCapacity(Self.iterations)
            let sample: () -> Void
            let tick = mode == "round-tick" ? try RoundTickProbe() : nil
            defer { tick?.stop() }
            switch mode {
            case "control": sample = { arrays.append([1, 2, 3]) }
            case "parse": sample = { checksum &+= files.sample() }
            case "read-host": sample = { checksum &+= reader.readHost().meminfo.memTotalKB ?? 0 }
            case "read-cgroup": sample = { checksum &+= cgroup.flatMap { reader.readCgroup($0)?.currentBytes } ?? 0 }
            case "round-tick": sample = { checksum &+= tick!.tick() }
            default: return XCTFail("unknown probe \(mode)")
            }
            sample()
            let traced = MallocTrace.traced(into: directory + "/\(mode).trace") {
                for _ in 0..<Self.iterations { sample() }
            }
            XCTAssertTrue(traced, "libc_malloc_debug.so.0 is not loaded")
            XCTAssertGreaterThanOrEqual(checksum, 0)
        }
    }

    /// The property is "no allocation per tick": 2,000 traced samples make at most a couple of
    /// allocations (a one-off inside the process while tracing, such as the runtime's lazy
    /// metadata or another thread's, is not a per-sample cost; one was seen once in CI).
    private func assertNoAllocationPerSample(_ probe: String, _ message: String) throws {
        let count = try allocations(probe)
        XCTAssertLessThanOrEqual(count, 2, "\(message): \(count) allocations over \(Self.iterations) samples")
    }

    private func allocations(_ probe: String) throws -> Int {
        do {
            return try MallocTrace.allocations(probe: probe)
        } catch let error as MallocTrace.Unavailable {
            XCTFail(error.description + "; glibc's tracer comes with Debian's libc6 (2.34+)")
            return -1
        }
    }
}

/// Eight recorded files in buffers of their own, parsed as one tick would.
final class RecordedFiles {
    static let expectedChecksum: Int64 = 9876 + 191_650 + 63 + 57_364_480 + 1 + 1 + 187_346_944 + 1
    let buffers: [UnsafeMutableRawBufferPointer]
    let views: [UnsafeRawBufferPointer]

    init() {
        buffers = [
            MemoryFixtures.piMeminfoPressure, MemoryFixtures.piVmstatAfter, MemoryFixtures.stalledPressure,
            MemoryFixtures.v1Stat, MemoryFixtures.v1OOMControl, MemoryFixtures.v2Events, "187346944", "max",
        ].map { text in
            let bytes = Array((text + "\n").utf8)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 8)
            buffer.copyBytes(from: bytes)
            return buffer
        }
        views = buffers.map { UnsafeRawBufferPointer($0) }
    }

    func deallocate() { buffers.forEach { $0.deallocate() } }

    func sample() -> Int64 {
        var checksum: Int64 = 0
        checksum &+= MeminfoReading.parse(views[0]).memFreeKB ?? 0
        checksum &+= VmstatReading.parse(views[1]).swapOutPages ?? 0
        checksum &+= Int64(PressureReading.parse(views[2])?.full?.avg10 ?? 0)
        checksum &+= CgroupV1MemoryReading.Stat.parse(views[3]).totalRSS ?? 0
        checksum &+= CgroupV1MemoryReading.OOMControl.parse(views[4]).oomKills ?? 0
        checksum &+= CgroupV2MemoryReading.Events.parse(views[5])?.oomKill ?? 0
        checksum &+= ProcBytes.counter(views[6]) ?? 0
        checksum &+= CgroupLimit.parse(views[7]) == .unlimited ? 1 : 0
        return checksum
    }
}

/// Serve's in-round memory tick on this host's real readings: ``ServeMemoryDefenses`` with the
/// live sampler, a running stand-in agent, instants 10 s apart. The thresholds are set out of
/// reach so every tick is an ok one (a tick under pressure builds the finding it reports).
final class RoundTickProbe {
    let defenses: ServeMemoryDefenses
    let agent: RunningProcess
    let directory: String
    private var now: ContinuousClock.Instant

    init() throws {
        directory = NSTemporaryDirectory() + "round-tick-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let toml = """
            [agent]
            command = ["sleep"]
            prompt_delivery = "stdin"
            [runtime]
            work_dir = "\(directory)"
            log_dir = "\(directory)/logs"
            [prompt]
            file = "p.md"
            [monitor.host_health.pressure]
            full_avg10_critical = 100
            some_avg10_warning = 100
            [monitor.host_health.memory]
            avail_min_mb = 0
            """
        let config = try AgentRunnerConfigLoader(
            environment: ConfigEnvironment(home: directory, currentDirectory: directory), fileSystem: LocalFileSystem()
        ).parse(Array(toml.utf8), configPath: directory + "/agent-runner.toml", displayPath: "agent-runner.toml")
        let clock = SystemMonotonicClock()
        defenses = ServeMemoryDefenses(
            config: config, sampler: LiveMemorySampler(), clock: clock, wallClock: SystemClock(),
            events: EventSink(logDir: directory, clock: SystemClock(), stderr: CapturedOutput()), priorLoopEpochs: [])
        agent = try PosixProcessRunner().spawn(ProcessRequest("/bin/sleep", arguments: ["1000"]))
        defenses.roundWillSpawn(round: 1)
        defenses.agentStarted(round: 1, pid: agent.pid)
        now = clock.now
    }

    /// One due tick; 1 when it let the round go on.
    func tick() -> Int64 {
        now += .seconds(10)
        return defenses.tick(now: now, process: agent) == .carryOn ? 1 : 0
    }

    func stop() {
        _ = agent.terminate(grace: .seconds(1))
        try? FileManager.default.removeItem(atPath: directory)
    }
}
