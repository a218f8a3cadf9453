import XCTest

@testable import fleet_bench

final class ProcessStatTests: XCTestCase {
    /// A real line of /proc/<pid>/stat, with a command holding a space and parentheses.
    let line =
        "4242 (ssh: a (b) [mux]) S 1 4240 4240 0 -1 4194368 1234 0 0 0 17 5 3 2 20 0 1 0 987654 "
        + "11304960 912 18446744073709551615 1 1 0 0 0 0 0 4096 16387 0 0 0 17 1 0 0 0 0 0\n"

    func testParsesFieldsAfterTheLastParenthesis() throws {
        let stat = try XCTUnwrap(ProcessStat.parse(line))
        XCTAssertEqual(stat.pid, 4242)
        XCTAssertEqual(stat.command, "ssh: a (b) [mux]")
        XCTAssertEqual(stat.state, "S")
        XCTAssertEqual(stat.parent, 1)
        XCTAssertEqual(stat.ownTicks, 22)
        XCTAssertEqual(stat.reapedTicks, 5)
        XCTAssertEqual(stat.startTime, 987_654)
        XCTAssertEqual(stat.rssPages, 912)
        XCTAssertFalse(stat.isZombie)
    }

    func testRefusesTruncatedLines() {
        XCTAssertNil(ProcessStat.parse("4242 (ssh) S 1 4240"))
        XCTAssertNil(ProcessStat.parse("garbage"))
    }

    func testReadsItsOwnProcess() throws {
        let own = try XCTUnwrap(ProcessStat.read(getpid()))
        XCTAssertEqual(own.pid, getpid())
        XCTAssertGreaterThan(own.rssKiB, 0)
        XCTAssertGreaterThan(ProcessStat.openDescriptors(getpid()), 2)
    }

    func testDescendantsFollowParentLinksAcrossSessions() {
        func stat(_ pid: Int32, _ parent: Int32, _ state: Character = "S") -> ProcessStat {
            ProcessStat(
                pid: pid, command: "x", state: state, parent: parent, ownTicks: 0, reapedTicks: 0, rssPages: 0,
                startTime: 0)
        }
        let snapshot = [stat(1, 0), stat(10, 1), stat(11, 10), stat(12, 11), stat(13, 10, "Z"), stat(20, 1)]
        XCTAssertEqual(Set(ProcessFamily.descendants(of: [10], in: snapshot).map(\.pid)), [11, 12])
        XCTAssertEqual(ProcessFamily.descendants(of: [12], in: snapshot).count, 0)
    }
}
