import FleetCore
import Foundation
import XCTest

final class PidFileTests: XCTestCase {
    private func pidFile() throws -> PidFile {
        PidFile(path: try makeTemporaryDirectory(self) + "/agent-runner.pid")
    }

    /// The pid of a process that has exited and been reaped.
    private func deadPID() throws -> Int32 {
        let child = try spawnInheritingDescriptors(["true"])
        waitForChild(child)
        return child
    }

    func testOwnPIDReadsBackAlive() throws {
        let file = try pidFile()
        try file.write()
        let record = try XCTUnwrap(file.read())
        XCTAssertEqual(record.pid, getpid())
        XCTAssertEqual(record.startTime, PidFile.startTime(of: getpid()))
        XCTAssertNotNil(record.startTime)
        XCTAssertEqual(try file.runningPID(), getpid())
        let text = String(decoding: try fileBytes(file.path), as: UTF8.self)
        XCTAssertEqual(text, #"{"pid": \#(getpid()), "start_time": \#(record.startTime ?? 0)}"# + "\n")
    }

    func testDeadPIDIsNotRunning() throws {
        let file = try pidFile()
        let dead = try deadPID()
        try writeBytes(Array(#"{"pid": \#(dead), "start_time": 12345}"#.utf8), at: file.path)
        XCTAssertNil(try file.runningPID())
        try writeBytes(Array("\(dead)\n".utf8), at: file.path)
        XCTAssertNil(try file.runningPID())
        XCTAssertThrowsError(try file.write(pid: dead))
    }

    func testMismatchedStartTimeIsNotRunning() throws {
        let file = try pidFile()
        let start = try XCTUnwrap(PidFile.startTime(of: getpid()))
        try writeBytes(Array(#"{"pid": \#(getpid()), "start_time": \#(start + 1)}"#.utf8), at: file.path)
        XCTAssertNil(try file.runningPID(), "pid reused by another process")
        try writeBytes(Array(#"{"pid": \#(getpid()), "start_time": \#(start)}"#.utf8), at: file.path)
        XCTAssertEqual(try file.runningPID(), getpid())
    }

    func testZombieIsNotRunning() throws {
        let file = try pidFile()
        let child = try spawnInheritingDescriptors(["true"])
        defer { waitForChild(child) }
        var state = ""
        for _ in 0..<500 {
            let stat = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)) ?? ""
            state = stat.split(separator: ")").last?.split(separator: " ").first.map(String.init) ?? ""
            if state == "Z" { break }
            usleep(10_000)
        }
        XCTAssertEqual(state, "Z")
        try writeBytes(Array("\(child)".utf8), at: file.path)
        XCTAssertNil(try file.runningPID())
    }

    func testLegacyFormats() throws {
        let file = try pidFile()
        try writeBytes(Array("\(getpid())\n".utf8), at: file.path)
        XCTAssertEqual(try file.read(), PidFile.Record(pid: getpid(), startTime: nil))
        XCTAssertEqual(try file.runningPID(), getpid())

        try writeBytes(Array(#"{"pid": \#(getpid()), "create_time": 1764077909.25}"#.utf8), at: file.path)
        XCTAssertEqual(try file.read(), PidFile.Record(pid: getpid(), startTime: nil))
        XCTAssertEqual(try file.runningPID(), getpid())

        let dead = try deadPID()
        try writeBytes(Array(#"{"pid": \#(dead), "create_time": 1764077909.25}"#.utf8), at: file.path)
        XCTAssertNil(try file.runningPID())
    }

    func testGarbageMissingAndDangerousPIDs() throws {
        let file = try pidFile()
        XCTAssertNil(try file.read())
        XCTAssertNil(try file.runningPID())
        for text in [
            "", "garbage", "0", "-1", "99999999999", #"{"pid": 0}"#, #"{"pid": -5}"#, #"{"pid": "12"}"#, "[1]",
            #"{"pid": 1, "start_time": -3}"#, #"{"pid": 1.5}"#,
        ] {
            try writeBytes(Array(text.utf8), at: file.path)
            XCTAssertNil(try file.runningPID(), text)
            XCTAssertThrowsError(try file.read(), text) { error in
                XCTAssertTrue("\(error)".contains(file.path), "\(error)")
            }
        }
        try file.remove()
        try file.remove()
        XCTAssertFalse(FileManager.default.fileExists(atPath: file.path))
    }
}
