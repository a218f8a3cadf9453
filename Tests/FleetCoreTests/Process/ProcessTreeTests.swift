import Foundation
import Glibc
import XCTest

@testable import FleetCore

final class ProcessTreeTests: XCTestCase {
    func testStatParserUsesTheLastClosingParenthesis() throws {
        let line =
            "4242 (we) (ird) S 17 4243 4244 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 50 18446744073709551615\n"
        let entry = try XCTUnwrap(ProcessTree.parseStat(Array(line.utf8)))
        XCTAssertEqual(entry.pid, 4242)
        XCTAssertEqual(entry.command, "we) (ird")
        XCTAssertEqual(entry.state, "S")
        XCTAssertEqual(entry.parent, 17)
        XCTAssertEqual(entry.processGroup, 4243)
        XCTAssertEqual(entry.session, 4244)
        XCTAssertEqual(entry.startTime, 987654)

        XCTAssertNil(ProcessTree.parseStat(Array("4242 (truncated".utf8)))
        XCTAssertNil(ProcessTree.parseStat(Array("4242 (x) S 1 2".utf8)))
    }

    func testUserIDIsTheRealUIDOfTheStatusFile() throws {
        let status =
            "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t1002\t0\t0\t0\nGid:\t1002\t1002\t1002\t1002\n"
        XCTAssertEqual(ProcessTree.parseUserID(status: Array(status.utf8)), 1002)
        XCTAssertNil(ProcessTree.parseUserID(status: Array("Name:\tx\nUid:\n".utf8)))
        XCTAssertNil(ProcessTree.parseUserID(status: Array("Name:\tx\n".utf8)))

        XCTAssertEqual(ProcessTree.userID(of: getpid()), getuid())
        XCTAssertNil(ProcessTree.userID(of: 999_999_999))
        XCTAssertEqual(ProcessTree.userName(0), "root")
        XCTAssertEqual(ProcessTree.userName(4_000_000_000), "uid 4000000000")
    }

    func testRealProcessWhoseNameContainsParentheses() throws {
        let directory = NSTemporaryDirectory() + "/fleetcore-tree-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let oddName = directory + "/x) (y"
        try FileManager.default.createSymbolicLink(atPath: oddName, withDestinationPath: "/usr/bin/sleep")

        let process = try PosixProcessRunner().spawn(ProcessRequest(oddName, arguments: ["1000"]))
        defer { _ = process.terminate(grace: .seconds(1)) }
        let entry = try XCTUnwrap(ProcessTree.entry(for: process.pid))
        XCTAssertEqual(entry.command, "x) (y")
        XCTAssertEqual(entry.processGroup, process.pid)
        XCTAssertEqual(entry.parent, getpid())
        XCTAssertTrue(ProcessTree.isAlive(process.pid))
        XCTAssertEqual(ProcessTree.processGroupMembers(process.processGroup), [process.pid])
        XCTAssertEqual(ProcessTree.commandLine(of: process.pid), [oddName, "1000"])
    }

    func testDescendantsIncludeASetsidGrandchild() throws {
        let process = try PosixProcessRunner().spawn(
            ProcessRequest("sh", arguments: ["-c", "setsid sleep 1000 & exec sleep 1000"]))
        defer { kill(-process.processGroup, SIGKILL) }
        // Wait until the forked shell has called setsid and exec'd sleep.
        var found: [ProcessTree.Entry] = []
        for _ in 0..<300 where !(found.first.map { $0.session == $0.pid && $0.command == "sleep" } ?? false) {
            found = ProcessTree.descendants(of: process.pid).compactMap(ProcessTree.entry(for:))
            usleep(10_000)
        }
        let grandchild = try XCTUnwrap(found.first)
        defer { kill(grandchild.pid, SIGKILL) }
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(grandchild.command, "sleep")
        XCTAssertEqual(grandchild.parent, process.pid)
        XCTAssertEqual(grandchild.session, grandchild.pid, "setsid should have made it a session leader")
        XCTAssertFalse(ProcessTree.processGroupMembers(process.processGroup).contains(grandchild.pid))

        XCTAssertFalse(ProcessTree.isAlive(999_999_999))
        XCTAssertNil(ProcessTree.commandLine(of: 999_999_999))
    }
}
