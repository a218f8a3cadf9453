import XCTest

@testable import AgentRunnerCore

/// Parses `text` (as a file ending in a newline) with `parser`.
func parseFile<T>(_ text: String, _ parser: (UnsafeRawBufferPointer) -> T) -> T {
    let bytes = Array((text.hasSuffix("\n") || text.isEmpty ? text : text + "\n").utf8)
    return bytes.withUnsafeBytes(parser)
}

final class MemoryParsingTests: XCTestCase {
    func testMeminfoOfTheBuildMachine() {
        let reading = parseFile(MemoryFixtures.hostMeminfo, MeminfoReading.parse)
        XCTAssertEqual(
            reading,
            MeminfoReading(
                memTotalKB: 24_683_568, memFreeKB: 21_010_288, memAvailableKB: 23_735_052, swapTotalKB: 0, swapFreeKB: 0
            ))
    }

    func testMeminfoOfA512MBPi() {
        let reading = parseFile(MemoryFixtures.piMeminfoPressure, MeminfoReading.parse)
        XCTAssertEqual(
            reading,
            MeminfoReading(
                memTotalKB: 439_644, memFreeKB: 9876, memAvailableKB: 38_212, swapTotalKB: 102_396, swapFreeKB: 11_264))
    }

    func testMeminfoWithoutMemAvailableOrSwap() {
        // A 3.x kernel (no MemAvailable) in a container view without swap lines.
        let reading = parseFile("MemTotal:  1024000 kB\nMemFree:  5000 kB\nBuffers:  12 kB\n", MeminfoReading.parse)
        XCTAssertEqual(reading, MeminfoReading(memTotalKB: 1_024_000, memFreeKB: 5000))
    }

    func testMeminfoKeysMustMatchWhole() {
        // `MemFreeX` is not `MemFree`; a value that is not a number is absent.
        let reading = parseFile("MemFreeX: 7 kB\nMemFree: lots\nMemAvailable:\n", MeminfoReading.parse)
        XCTAssertEqual(reading, MeminfoReading())
    }

    func testVmstat() {
        XCTAssertEqual(
            parseFile(MemoryFixtures.hostVmstat, VmstatReading.parse), VmstatReading(swapOutPages: 0, oomKills: 1))
        XCTAssertEqual(
            parseFile(MemoryFixtures.piVmstatBefore, VmstatReading.parse),
            VmstatReading(swapOutPages: 181_234, oomKills: 2))
        XCTAssertEqual(
            parseFile("nr_free_pages 12\npswpin 3\n", VmstatReading.parse), VmstatReading(),
            "pswpin is not pswpout; a 4.12 kernel has no oom_kill")
    }

    func testPressure() throws {
        let idle = try XCTUnwrap(parseFile(MemoryFixtures.hostPressure, PressureReading.parse))
        XCTAssertEqual(idle, PressureReading(some: .init(), full: .init()))
        let stalled = try XCTUnwrap(parseFile(MemoryFixtures.stalledPressure, PressureReading.parse))
        XCTAssertEqual(
            stalled.some, PressureReading.Line(avg10: 71.32, avg60: 40.07, avg300: 12.96, totalUS: 412_398_765))
        XCTAssertEqual(try XCTUnwrap(stalled.full?.avg10), 63.85, accuracy: 1e-9)
        XCTAssertEqual(stalled.full?.totalUS, 301_876_543)
    }

    func testPressureWithOnlySomeAndGarbage() {
        XCTAssertEqual(
            parseFile("some avg10=5.50 avg60=1.00 avg300=0.25 total=99\n", PressureReading.parse),
            PressureReading(some: .init(avg10: 5.5, avg60: 1, avg300: 0.25, totalUS: 99)))
        XCTAssertNil(parseFile("", PressureReading.parse), "an empty file (PSI switched off) is no reading")
        XCTAssertNil(parseFile("cpu avg10=1.00\n", PressureReading.parse))
    }

    func testCgroupV1FilesOfTheBuildMachine() {
        XCTAssertEqual(parseFile(MemoryFixtures.v1Usage, ProcBytes.counter), 57_786_368)
        XCTAssertEqual(parseFile(MemoryFixtures.v1Limit, CgroupLimit.parse), .bytes(67_108_864))
        XCTAssertEqual(
            parseFile(MemoryFixtures.v1MemswLimit, CgroupLimit.parse), .unlimited,
            "v1 writes no limit as 9223372036854771712")
        XCTAssertEqual(parseFile(MemoryFixtures.v1FailCount, ProcBytes.counter), 72)
        XCTAssertEqual(
            parseFile(MemoryFixtures.v1OOMControl, CgroupV1MemoryReading.OOMControl.parse),
            CgroupV1MemoryReading.OOMControl(oomKillDisabled: false, underOOM: false, oomKills: 1))
        let stat = parseFile(MemoryFixtures.v1Stat, CgroupV1MemoryReading.Stat.parse)
        XCTAssertEqual(stat.rss, 57_364_480)
        XCTAssertEqual(stat.cache, 0)
        XCTAssertEqual(stat.swap, 0)
        XCTAssertEqual(stat.totalRSS, 57_364_480)
        XCTAssertEqual(stat.hierarchicalMemoryLimit, .bytes(67_108_864))
        XCTAssertEqual(stat.hierarchicalMemswLimit, .unlimited)
    }

    func testCgroupV2FilesOfThePi() throws {
        let files = MemoryFixtures.piV2Files
        XCTAssertEqual(parseFile(try XCTUnwrap(files["memory.current"]), ProcBytes.counter), 187_346_944)
        XCTAssertEqual(parseFile(try XCTUnwrap(files["memory.max"]), CgroupLimit.parse), .bytes(402_653_184))
        XCTAssertEqual(parseFile(try XCTUnwrap(files["memory.high"]), CgroupLimit.parse), .unlimited)
        XCTAssertEqual(
            parseFile(try XCTUnwrap(files["memory.events"]), CgroupV2MemoryReading.Events.parse),
            CgroupV2MemoryReading.Events(low: 0, high: 0, max: 214, oom: 1, oomKill: 1, oomGroupKill: 0))
        XCTAssertEqual(parseFile(MemoryFixtures.v2Events, CgroupV2MemoryReading.Events.parse)?.high, 17)
        XCTAssertNil(parseFile("populated 1\n", CgroupV2MemoryReading.Events.parse))
    }

    func testLimitsAndCountersRejectJunk() {
        XCTAssertEqual(parseFile("max", CgroupLimit.parse), .unlimited)
        XCTAssertEqual(parseFile("  4096 \n", CgroupLimit.parse), .bytes(4096))
        XCTAssertNil(parseFile("maximum\n", CgroupLimit.parse))
        XCTAssertNil(parseFile("12k\n", CgroupLimit.parse))
        XCTAssertNil(parseFile("", CgroupLimit.parse))
        XCTAssertNil(parseFile("99999999999999999999\n", ProcBytes.counter), "an overflowing number is no number")
        XCTAssertNil(parseFile("-1\n", ProcBytes.counter))
    }

    func testLocatingOnAHybridV1Host() throws {
        let candidates = CgroupLocation.candidates(
            procCgroup: MemoryFixtures.v1ProcCgroup, mountinfo: MemoryFixtures.v1Mountinfo)
        let v1 = try XCTUnwrap(candidates.v1)
        XCTAssertEqual(v1.version, .v1)
        XCTAssertEqual(v1.cgroupPath, "/process_api/8d0d9b8ec7646d9eb1266fbaba151406/ar-fixture")
        XCTAssertEqual(v1.directory, "/sys/fs/cgroup/memory/process_api/8d0d9b8ec7646d9eb1266fbaba151406/ar-fixture")
        XCTAssertEqual(
            v1.ancestry,
            [
                "/sys/fs/cgroup/memory/process_api/8d0d9b8ec7646d9eb1266fbaba151406/ar-fixture",
                "/sys/fs/cgroup/memory/process_api/8d0d9b8ec7646d9eb1266fbaba151406",
                "/sys/fs/cgroup/memory/process_api", "/sys/fs/cgroup/memory",
            ])
        XCTAssertEqual(
            candidates.v2?.directory, "/sys/fs/cgroup/unified", "the hybrid v2 tree exists, but only for hugetlb here")
    }

    func testLocatingOnThePi() throws {
        let candidates = CgroupLocation.candidates(
            procCgroup: MemoryFixtures.piProcCgroup, mountinfo: MemoryFixtures.piMountinfo)
        XCTAssertNil(candidates.v1)
        let v2 = try XCTUnwrap(candidates.v2)
        XCTAssertEqual(
            v2.directory,
            "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/agent-runner@demo.service")
        XCTAssertEqual(v2.mountPoint, "/sys/fs/cgroup")
        XCTAssertEqual(v2.ancestry.last, "/sys/fs/cgroup")
        XCTAssertEqual(v2.ancestry.count, 6)
    }

    func testLocatingInsideAContainerAndEscapedMountPoints() throws {
        // Docker on a v1 host without a cgroup namespace: the mount's root is the container's cgroup.
        let candidates = CgroupLocation.candidates(
            procCgroup: "12:memory:/docker/4f2a\n0::/\n",
            mountinfo: "610 600 0:40 /docker/4f2a /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n"
                + "611 600 0:41 / /mnt/cg\\0402 rw shared:5 - cgroup2 cgroup2 rw\n")
        XCTAssertEqual(candidates.v1?.directory, "/sys/fs/cgroup/memory")
        XCTAssertEqual(candidates.v2?.directory, "/mnt/cg 2", "mountinfo writes a space as \\040")
        XCTAssertNil(
            CgroupLocation.candidates(procCgroup: "0::/\n", mountinfo: "22 27 0:21 / /proc rw - proc proc rw\n").v2,
            "no cgroup2 mount")
    }
}
