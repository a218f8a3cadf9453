import FleetCore
import Foundation
import Glibc
import TestSupport
import XCTest
@testable import AgentRunnerCore

/// The per-tick sampling path makes no allocation: the parsers walk a reused buffer. Proven by
/// counting mallocs with glibc's tracer (``MallocTrace``) over 10,000 samples; the cost per
/// sample is printed (debug build; the release build is several times faster).
final class MemoryParsingAllocationTests: XCTestCase {
    static let iterations = 10_000

    func testTheTraceSeesAllocations() throws {
        let count = try allocations("control")
        XCTAssertGreaterThanOrEqual(count, Self.iterations, "10,000 arrays must show as 10,000 mallocs, or a zero below proves nothing")
    }

    func testParsingRecordedFilesAllocatesNothing() throws {
        XCTAssertEqual(try allocations("parse"), 0, "parsing must not allocate per sample")
    }

    func testReadingThisHostAllocatesNothing() throws {
        XCTAssertEqual(try allocations("read-host"), 0, "read(2) into the fixed buffer and parse must not allocate")
    }

    func testReadingThisHostsCgroupAllocatesNothing() throws {
        guard MemoryReader().locateCgroup() != nil else {
            return XCTFail("no memory cgroup visible on this host; the memory defenses need cgroup v1's memory controller or cgroup v2")
        }
        XCTAssertEqual(try allocations("read-cgroup"), 0, "a cgroup tick must not allocate")
    }

    func testAnInRoundMemoryTickAllocatesNothing() throws {
        XCTAssertEqual(
            try allocations("round-tick"), 0, "serve's 10 s tick (read, classify, watch, ledger) must not allocate")
    }

    func testCostPerSample() throws {
        let parse = RecordedFiles()
        defer { parse.deallocate() }
        var checksum: Int64 = 0
        let parseTime = Self.time { checksum &+= parse.sample() }
        XCTAssertEqual(checksum, Int64(Self.iterations + 1) * RecordedFiles.expectedChecksum)
        let reader = MemoryReader()
        let hostTime = Self.time { checksum &+= reader.readHost().meminfo.memTotalKB ?? 0 }
        print("memory parse, 8 recorded files: \(parseTime) ns per sample; read+parse of /proc/meminfo, /proc/vmstat, /proc/pressure/memory: \(hostTime) ns per sample")
        if let location = reader.locateCgroup() {
            let files = CgroupMemoryFiles(location)
            let cgroupTime = Self.time { checksum &+= reader.readCgroup(files)?.currentBytes ?? 0 }
            print("memory read+parse of this host's \(location.version.rawValue) cgroup \(location.directory): \(cgroupTime) ns per sample")
        }
    }

    /// The child side: traces 10,000 samples of `AGENT_RUNNER_MALLOC_PROBE`'s kind. Run in the
    /// suite itself (no variable), it runs the parse probe untraced: the sampling loop works.
    func testMallocProbe() throws {
        let mode = ProcessInfo.processInfo.environment[MallocTrace.probeVariable] ?? "parse"
        var checksum: Int64 = 0
        let sample: () -> Void
        let files = RecordedFiles()
        defer { files.deallocate() }
        let reader = MemoryReader()
        let cgroup = reader.locateCgroup().map(CgroupMemoryFiles.init)
        var arrays: [[Int]] = []
        arrays.reserveCapacity(Self.iterations)
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
        if ProcessInfo.processInfo.environment[MallocTrace.probeVariable] == nil {
            for _ in 0..<Self.iterations { sample() }
            XCTAssertEqual(checksum, Int64(Self.iterations + 1) * RecordedFiles.expectedChecksum)
            return
        }
        XCTAssertTrue(MallocTrace.traced { for _ in 0..<Self.iterations { sample() } }, "libc_malloc_debug.so.0 is not loaded")
        XCTAssertGreaterThanOrEqual(checksum, 0)
    }

    private func allocations(_ probe: String) throws -> Int {
        do {
            return try MallocTrace.allocations(probe: probe)
        } catch let error as MallocTrace.Unavailable {
            XCTFail(error.description + "; glibc's tracer comes with Debian's libc6 (2.34+)")
            return -1
        }
    }

    static func time(_ body: () -> Void) -> Int {
        body()
        let started = ContinuousClock.now
        for _ in 0..<iterations { body() }
        let elapsed = ContinuousClock.now - started
        return (Int(elapsed.components.seconds) * 1_000_000_000 + Int(elapsed.components.attoseconds / 1_000_000_000)) / iterations
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
