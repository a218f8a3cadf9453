import FleetCore
import Foundation
import XCTest

@testable import AgentRunnerCore

/// The reader over a recorded file tree (a fake `/proc` and a cgroup2 mount inside a temporary
/// directory, laid out like the Pi's), and over this machine's real files.
final class MemoryReaderTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("memory-reader-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func write(_ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: root + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try (text.hasSuffix("\n") ? text : text + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    /// A Pi-like tree: serve's unit cgroup under `<root>/cgroup`, bounded (or not) as asked.
    private func layOutPi(
        pressure: Bool, unitFiles: [String: String] = MemoryFixtures.piV2Files, parentMax: String = "max"
    ) throws -> String {
        try write("proc/meminfo", MemoryFixtures.piMeminfoPressure)
        try write("proc/vmstat", MemoryFixtures.piVmstatAfter)
        if pressure { try write("proc/pressure/memory", MemoryFixtures.stalledPressure) }
        try write("proc/self/cgroup", MemoryFixtures.piProcCgroup)
        try write(
            "proc/self/mountinfo", "32 22 0:27 / \(root)/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n")
        let unit = "cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/agent-runner@demo.service"
        for (name, text) in unitFiles { try write(unit + "/" + name, text) }
        try write("cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/memory.max", parentMax)
        try write("cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/memory.current", "190000000")
        return root + "/" + unit
    }

    func testReadsThePiTree() throws {
        let unit = try layOutPi(pressure: false)
        let reader = MemoryReader(procRoot: root + "/proc", pageSize: 4096)
        let host = reader.readHost()
        XCTAssertEqual(host.meminfo.memFreeKB, 9876)
        XCTAssertEqual(host.vmstat.swapOutPages, 191_650)
        XCTAssertEqual(host.swapOutBytes, 191_650 * 4096)
        XCTAssertNil(host.pressure, "the Pi's kernel has PSI off: no /proc/pressure/memory")

        let location = try XCTUnwrap(reader.locateCgroup())
        XCTAssertEqual(location.version, .v2)
        XCTAssertEqual(location.directory, unit)
        guard case .v2(let cgroup)? = reader.readCgroup(CgroupMemoryFiles(location)) else {
            return XCTFail("expected a v2 reading")
        }
        XCTAssertEqual(
            cgroup,
            CgroupV2MemoryReading(
                currentBytes: 187_346_944, max: .bytes(402_653_184), high: .unlimited, peakBytes: 398_458_880,
                swapCurrentBytes: 52_428_800,
                swapMax: .bytes(67_108_864), events: .init(max: 214, oom: 1, oomKill: 1)))
        let bounding = try XCTUnwrap(reader.boundingCgroup(of: location))
        XCTAssertEqual(bounding.location.directory, unit)
        XCTAssertEqual(bounding.limitBytes, 402_653_184)
        XCTAssertTrue(
            reader.isMemoryHighWritable(CgroupMemoryFiles(location)) || getuid() != 0, "root may write any memory.high")
    }

    func testBoundingLimitOnAnAncestor() throws {
        var files = MemoryFixtures.piV2Files
        files["memory.max"] = "max"
        let unit = try layOutPi(pressure: true, unitFiles: files, parentMax: "268435456")
        let reader = MemoryReader(procRoot: root + "/proc")
        XCTAssertEqual(reader.readHost().pressure?.full?.avg10, 63.85)
        let location = try XCTUnwrap(reader.locateCgroup())
        XCTAssertEqual(location.directory, unit)
        let bounding = try XCTUnwrap(reader.boundingCgroup(of: location))
        XCTAssertEqual(
            bounding.location.directory, root + "/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice")
        XCTAssertEqual(bounding.limitBytes, 268_435_456)
    }

    func testNoMemoryControllerAndNoFiles() throws {
        try write("proc/self/cgroup", "0::/\n")
        try write("proc/self/mountinfo", "32 22 0:27 / \(root)/cgroup rw - cgroup2 cgroup2 rw\n")
        try write("cgroup/cgroup.controllers", "cpu io pids")
        let reader = MemoryReader(procRoot: root + "/proc")
        XCTAssertNil(reader.locateCgroup(), "a v2 root has no memory.current")
        XCTAssertEqual(
            reader.readHost(), HostMemoryReading(pageSize: reader.pageSize), "no /proc files: every field absent")
    }

    func testTheV1FilesOfThisMachineReadBack() throws {
        // The recorded v1 files laid out as a v1 hierarchy.
        for (name, text) in MemoryFixtures.v1Files { try write("memory/agent/" + name, text) }
        try write("proc/self/cgroup", "4:memory:/agent\n0::/\n")
        try write("proc/self/mountinfo", "35 31 0:32 / \(root)/memory rw,relatime - cgroup cgroup rw,memory\n")
        let reader = MemoryReader(procRoot: root + "/proc")
        let location = try XCTUnwrap(reader.locateCgroup())
        XCTAssertEqual(location.version, .v1)
        let reading = try XCTUnwrap(reader.readCgroup(CgroupMemoryFiles(location), includeStat: true))
        XCTAssertEqual(reading.currentBytes, 57_786_368)
        XCTAssertEqual(reading.limit, .bytes(67_108_864))
        XCTAssertEqual(reading.swapLimit, .unlimited)
        XCTAssertEqual(reading.swapCurrentBytes, 0)
        XCTAssertEqual(reading.peakBytes, 67_108_864)
        XCTAssertNil(reading.memoryHigh)
        XCTAssertEqual(reading.counters, CgroupMemoryCounters(high: 0, max: 72, oom: 1, oomKill: 1))
        guard case .v1(let v1) = reading else { return XCTFail("expected v1") }
        XCTAssertEqual(v1.stat?.hierarchicalMemoryLimit, .bytes(67_108_864))
        XCTAssertFalse(reader.isMemoryHighWritable(CgroupMemoryFiles(location)), "v1 has no memory.high")
    }

    func testThisMachine() throws {
        let reader = MemoryReader()
        let host = reader.readHost()
        XCTAssertGreaterThan(try XCTUnwrap(host.meminfo.memTotalKB), 0)
        XCTAssertNotNil(host.vmstat.swapOutPages)
        guard let location = reader.locateCgroup() else {
            return XCTFail(
                "no memory cgroup visible here; the memory defenses need cgroup v1's memory controller or v2")
        }
        XCTAssertGreaterThan(try XCTUnwrap(reader.readCgroup(CgroupMemoryFiles(location))?.currentBytes), 0)
    }

    /// A real cgroup OOM kill, where this machine lets root make a v1 memory cgroup: a child
    /// cgroup limited to 16 MiB, `tail /dev/zero` in it (it buffers forever looking for a newline),
    /// and the ledger must report the kill from the cgroup's own counter.
    func testARealOOMKillIsReported() throws {
        let reader = MemoryReader()
        guard getuid() == 0, let serve = reader.locateCgroup(), serve.version == .v1 else {
            return XCTFail(
                "needs root and a writable v1 memory cgroup (the CI machine's layout); run the suite as root")
        }
        let directory = serve.directory + "/agent-runner-oom-test-\(getpid())"
        guard mkdir(directory, 0o755) == 0 else {
            return XCTFail("cannot create \(directory): \(SystemError.text(errno))")
        }
        defer { rmdir(directory) }
        try Array("16777216\n".utf8).withUnsafeBytes { bytes in
            let fd = open(directory + "/memory.limit_in_bytes", O_WRONLY)
            defer { close(fd) }
            guard fd >= 0, Glibc.write(fd, bytes.baseAddress, bytes.count) == bytes.count else {
                throw MemoryTestError("cannot set the limit in \(directory): \(SystemError.text(errno))")
            }
        }
        let location = CgroupLocation(version: .v1, cgroupPath: "", directory: directory, mountPoint: serve.mountPoint)
        let files = CgroupMemoryFiles(location)
        let kernelBefore = reader.readHost().vmstat.oomKills
        var ledger = RoundMemoryLedger(
            roundNum: 7, before: reader.readCgroup(files), kernelOOMKillsBefore: kernelBefore)
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                "/bin/sh", arguments: ["-c", "echo $$ > \(directory)/cgroup.procs && exec tail /dev/zero"],
                standardOutput: .capture(), standardError: .mergeIntoStandardOutput, deadline: .now + .seconds(60)))
        XCTAssertEqual(output.exit, .signalled(SIGKILL), output.stdoutText)
        let after = try XCTUnwrap(reader.readCgroup(files))
        ledger.observe(after)
        let events = ledger.finish(
            RoundMemoryLedger.RoundEnd(
                after: after, kernelOOMKillsAfter: reader.readHost().vmstat.oomKills, agentExit: output.exit,
                killedBySupervisor: false,
                logPath: "/logs/round-7.log", logBytes: 0, boundingCgroupPath: directory))
        XCTAssertEqual(events.map(\.kind), [.roundCgroupMemory, .roundOomKilled])
        XCTAssertEqual(events[1].payload["events_oom_kill_delta"], .int(1))
        XCTAssertEqual(events[1].payload["partial_log"], .bool(false))
        XCTAssertEqual(
            events[0].payload["memory_current_peak"]?.intValue, 16_777_216,
            "the kernel's high-water mark rose to the limit during the round")
    }
}

struct MemoryTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
