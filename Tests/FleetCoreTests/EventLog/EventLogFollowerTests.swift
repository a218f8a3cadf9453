import FleetCore
import Foundation
import XCTest

final class EventLogFollowerTests: XCTestCase {
    private func line(_ kind: String, _ extra: String = "") -> [UInt8] {
        Array((#"{"ts": "2026-11-25T10:00:00.000Z", "event": "\#(kind)"\#(extra)}"# + "\n").utf8)
    }

    func testFromBeginningThenOnlyNewEvents() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/events-2026-11.jsonl"
        try writeBytes(line("a") + line("b"), at: path)
        var follower = try EventLogFollower(directory: directory, from: .beginning)
        XCTAssertEqual(try follower.poll().map(\.kind), ["a", "b"])
        XCTAssertEqual(try follower.poll(), [])
        try appendRaw(line("c"), to: path)
        XCTAssertEqual(try follower.poll().map(\.kind), ["c"])
        XCTAssertEqual(follower.offset, Int64(try fileBytes(path).count))
    }

    func testFromEndSkipsHistory() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/events-2026-11.jsonl"
        try writeBytes(line("old"), at: path)
        var follower = try EventLogFollower(directory: directory)
        XCTAssertEqual(try follower.poll(), [])
        try appendRaw(line("new"), to: path)
        XCTAssertEqual(try follower.poll().map(\.kind), ["new"])
    }

    /// The reader skips an unterminated last line; the follower returns it once its newline lands.
    func testTornLastLineIsPickedUpOnceCompleted() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/events-2026-11.jsonl"
        let complete = line("round_end", #", "n": 1"#)
        try writeBytes(line("round_start") + Array(complete[..<20]), at: path)
        var follower = try EventLogFollower(directory: directory, from: .end)
        let reader = EventLogReader(directory: directory)
        XCTAssertEqual(try reader.tail(limit: 5).map(\.kind), ["round_start"])
        XCTAssertEqual(try follower.poll(), [])

        try appendRaw(Array(complete[20..<(complete.count - 1)]), to: path)
        XCTAssertEqual(try follower.poll(), [], "still no newline")
        XCTAssertEqual(try reader.tail(limit: 5).map(\.kind), ["round_start"])

        try appendRaw([UInt8(ascii: "\n")], to: path)
        let events = try follower.poll()
        XCTAssertEqual(events.map(\.kind), ["round_end"])
        XCTAssertEqual(events.first?.payload["n"], .int(1))
        XCTAssertEqual(try reader.tail(limit: 5).map(\.kind), ["round_end", "round_start"])
    }

    func testSurvivesDeletionRecreationAndTruncation() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/events-2026-11.jsonl"
        try writeBytes(line("a") + line("b") + line("c"), at: path)
        var follower = try EventLogFollower(directory: directory, from: .beginning)
        XCTAssertEqual(try follower.poll().count, 3)

        try FileManager.default.removeItem(atPath: path)
        XCTAssertEqual(try follower.poll(), [])
        try writeBytes(line("recreated"), at: path)
        XCTAssertEqual(try follower.poll().map(\.kind), ["recreated"])

        XCTAssertEqual(truncate(path, 0), 0)
        try appendRaw(line("after_truncate"), to: path)
        XCTAssertEqual(try follower.poll().map(\.kind), ["after_truncate"])
    }

    func testWaitsForDirectoryAndFirstFile() throws {
        let directory = try makeTemporaryDirectory(self) + "/later"
        var follower = try EventLogFollower(directory: directory)
        XCTAssertNil(follower.currentFile)
        XCTAssertEqual(try follower.poll(), [])
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        XCTAssertEqual(try follower.poll(), [])
        try EventLogWriter(directory: directory, clock: ManualClock("2026-12-01T00:00:00Z")).append(.serveStarted)
        XCTAssertEqual(try follower.poll().map(\.kind), ["serve_started"])
    }

    func testReadBudgetSplitsWorkAcrossPollsWithoutLossOrDuplication() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/events-2026-11.jsonl"
        var bytes: [UInt8] = []
        for index in 0..<200 { bytes += line("e", #", "i": \#(index)"#) }
        try writeBytes(bytes, at: path)
        try writeBytes(line("next_month"), at: directory + "/events-2026-12.jsonl")
        var follower = try EventLogFollower(directory: directory, from: .beginning, maxBytesPerPoll: 1_000)
        var seen: [Int64] = []
        var kinds: [String] = []
        for _ in 0..<100 {
            let events = try follower.poll()
            seen += events.compactMap { $0.payload["i"]?.intValue }
            kinds += events.map(\.kind)
        }
        XCTAssertEqual(seen, Array(0..<200))
        XCTAssertEqual(kinds.last, "next_month")
        XCTAssertEqual(follower.currentFile?.month, 12)
    }

    func testOverlongLineIsSkipped() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/events-2026-11.jsonl"
        try writeBytes(
            line("before") + line("huge", #", "pad": "\#(String(repeating: "x", count: 300_000))""#) + line("after"),
            at: path)
        var follower = try EventLogFollower(
            directory: directory, from: .beginning,
            parser: JSONParser(limits: .init(maxBytes: 100_000), invalidUTF8: .replace)
        )
        XCTAssertEqual(try follower.poll().map(\.kind), ["before", "after"])
    }
}
