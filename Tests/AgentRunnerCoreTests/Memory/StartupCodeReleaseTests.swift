import XCTest

@testable import AgentRunnerCore

final class StartupCodeReleaseTests: XCTestCase {
    let maps = """
        00400000-00401000 r--p 00000000 08:01 123 /opt/bin/agent-runner
        00401000-00a00000 r-xp 00001000 08:01 123 /opt/bin/agent-runner
        00a00000-00b00000 r--p 00600000 08:01 123 /opt/bin/agent-runner
        00b00000-00b80000 rw-p 00700000 08:01 123 /opt/bin/agent-runner
        01040000-01099000 rw-p 00000000 00:00 0
        7f0000000000-7f0000100000 r-xp 00000000 08:01 9 /usr/lib/x86_64-linux-gnu/libc.so.6
        7f0000200000-7f0000300000 r-xp 00000000 08:01 77 /opt/bin/agent-runner-old
        7f0000400000-7f0000500000 r-xp 00000000 08:01 78 /opt/my dir/agent-runner

        """

    /// Only the executable's read-only mappings: not its writable data, not libc, not a file
    /// whose name merely starts the same.
    func testPicksTheExecutablesReadOnlyMappings() {
        XCTAssertEqual(
            StartupCodeRelease.readOnlyMappings(maps: maps, executable: "/opt/bin/agent-runner"),
            [0x400000..<0x401000, 0x401000..<0xa00000, 0xa00000..<0xb00000])
        XCTAssertEqual(
            StartupCodeRelease.readOnlyMappings(maps: maps, executable: "/opt/my dir/agent-runner"),
            [0x7f00_0040_0000..<0x7f00_0050_0000])
        XCTAssertEqual(StartupCodeRelease.readOnlyMappings(maps: maps, executable: "/nowhere"), [])
    }

    /// In this test process: the advice is accepted (or refused by an old kernel) without harm.
    func testReleasingLeavesTheProcessRunning() {
        let advised = StartupCodeRelease.release()
        XCTAssertGreaterThanOrEqual(advised, 0)
        XCTAssertEqual(StartupCodeRelease.readOnlyMappings(maps: "", executable: "x"), [])
    }
}
