import FleetCore
import Foundation
import TestSupport
import XCTest

final class EventLogReaderTests: XCTestCase {
    private func eventLine(_ ts: String, _ kind: String, _ extra: String = "") -> String {
        #"{"ts": "\#(ts)", "event": "\#(kind)"\#(extra)}"# + "\n"
    }

    func testTailIsNewestFirstWithKindFilterAndLimit() throws {
        let directory = try makeTemporaryDirectory(self)
        let clock = ManualClock("2026-11-25T10:00:00Z")
        let writer = EventLogWriter(directory: directory, clock: clock)
        for index in 0..<10 {
            try writer.append(index % 2 == 0 ? .roundStart : .roundEnd, ["n": .int(Int64(index))])
        }
        let reader = EventLogReader(directory: directory)
        XCTAssertEqual(try reader.tail(limit: 3).compactMap { $0.payload["n"]?.intValue }, [9, 8, 7])
        XCTAssertEqual(
            try reader.tail(kinds: ["round_start"], limit: 2).compactMap { $0.payload["n"]?.intValue }, [8, 6])
        XCTAssertEqual(try reader.tail(limit: 100).count, 10)
        XCTAssertEqual(try reader.tail(limit: 0), [])
        XCTAssertEqual(try reader.lastEvents(3).compactMap { $0.payload["n"]?.intValue }, [7, 8, 9])
        let last = try XCTUnwrap(reader.lastEvent(ofKinds: ["round_start"]))
        XCTAssertEqual(last.kind, "round_start")
        XCTAssertEqual(last.ts, "2026-11-25T10:00:00.000Z")
        XCTAssertEqual(last.payload, ["n": 8])
        XCTAssertEqual(last.raw, #"{"ts": "2026-11-25T10:00:00.000Z", "event": "round_start", "n": 8}"#)
        XCTAssertNil(try reader.lastEvent(ofKinds: ["crash_loop"]))
        XCTAssertEqual(try reader.latestTimestamp(), EventTimestamp.parse("2026-11-25T10:00:00Z"))
    }

    func testSkipsLinesThatAreNotEvents() throws {
        let directory = try makeTemporaryDirectory(self)
        var bytes: [UInt8] = []
        bytes += Array(eventLine("2026-11-01T00:00:01.000Z", "round_start").utf8)
        bytes += Array("\n   \n".utf8)  // blank lines
        bytes += Array("not json at all\n[1, 2]\n42\n\"string\"\n".utf8)
        bytes += Array(#"{"event": "no_ts"}"#.utf8) + [0x0A]
        bytes += Array(#"{"ts": "2026-11-01T00:00:02.000Z", "event": 5}"#.utf8) + [0x0A]
        bytes +=
            Array(#"{"ts": "2026-11-01T00:00:03.000Z", "event": "round_end", "msg": "a"#.utf8) + [0xFF, 0xFE]
            + Array("b\"}\n".utf8)
        bytes += Array(#"{"ts": "2026-11-01T00:00:04.000Z", "event": "broken", "x": "#.utf8) + [0xFF, 0x0A]  // invalid byte outside any string
        bytes += [0xFF] + Array(eventLine("2026-11-01T00:00:04.500Z", "recovered").utf8)  // stray byte before an event
        bytes += Array(#"{"ts": "2026-11-01T00:00:05.000Z", "event": "agent_exit"}  "#.utf8) + [0x0D, 0x0A]
        bytes += Array(#"{"ts": "2026-11-01T00:00:06.000Z", "event": "torn_tail", "x": "#.utf8)  // no newline yet
        try writeBytes(bytes, at: directory + "/events-2026-11.jsonl")

        let events = try EventLogReader(directory: directory).tail(limit: 100)
        XCTAssertEqual(events.map(\.kind), ["agent_exit", "recovered", "round_end", "round_start"])
        XCTAssertEqual(events[2].payload["msg"], .string("a\u{FFFD}\u{FFFD}b"))
        XCTAssertTrue(events[2].raw.contains("\u{FFFD}"))
    }

    /// A writer that died mid-line leaves a fragment; the next line gets glued to it. The event
    /// after the fragment is still recovered.
    func testRecoversEventGluedBehindATornFragment() throws {
        let directory = try makeTemporaryDirectory(self)
        let text =
            #"{"ts": "2026-11-01T00:00:01.000Z", "event": "round_start", "data": {"ts""#
            + eventLine("2026-11-01T00:00:02.000Z", "round_end", #", "nested": {"ts": 1}"#)
        try writeBytes(Array(text.utf8), at: directory + "/events-2026-11.jsonl")
        let events = try EventLogReader(directory: directory).tail(limit: 10)
        XCTAssertEqual(events.map(\.kind), ["round_end"])
        XCTAssertEqual(events.first?.payload["nested"]?["ts"], .int(1))
    }

    func testMonthRolloverWritesTwoFilesAndTailCrossesThem() throws {
        let directory = try makeTemporaryDirectory(self)
        let clock = ManualClock("2026-10-31T23:59:59.500Z")
        let writer = EventLogWriter(directory: directory, clock: clock)
        try writer.append(.roundStart)
        var follower = try EventLogFollower(directory: directory, from: .end)
        XCTAssertEqual(follower.currentFile?.month, 10)
        clock.set("2026-11-01T00:00:00.000Z")
        try writer.append(.roundEnd)
        clock.set("2026-11-01T00:00:01.000Z")
        try writer.append(.agentExit)

        XCTAssertEqual(
            try EventLogFile.list(in: directory).map { ($0.path as NSString).lastPathComponent },
            ["events-2026-10.jsonl", "events-2026-11.jsonl"])
        let reader = EventLogReader(directory: directory)
        XCTAssertEqual(try reader.tail(limit: 10).map(\.kind), ["agent_exit", "round_end", "round_start"])
        XCTAssertEqual(try reader.lastEvents(2).map(\.ts), ["2026-11-01T00:00:00.000Z", "2026-11-01T00:00:01.000Z"])

        XCTAssertEqual(try follower.poll().map(\.kind), ["round_end", "agent_exit"])
        XCTAssertEqual(follower.currentFile?.month, 11)
        XCTAssertEqual(try follower.poll(), [])
    }

    func testEventsSinceReturnsLaterEventsInFileOrder() throws {
        let directory = try makeTemporaryDirectory(self)
        let writer = EventLogWriter(directory: directory)
        for minute in 0..<10 {
            try writer.append(
                .roundProgress, ["m": .int(Int64(minute))], at: EventTimestamp.parse("2026-11-25T10:0\(minute):00Z"))
        }
        let reader = EventLogReader(directory: directory)
        let since = try XCTUnwrap(EventTimestamp.parse("2026-11-25T10:05:00Z"))
        XCTAssertEqual(try reader.events(since: since).compactMap { $0.payload["m"]?.intValue }, [6, 7, 8, 9])
        XCTAssertEqual(try reader.events(since: since, kinds: ["round_end"]), [])
        XCTAssertEqual(try reader.events(since: UTCInstant(seconds: 0)).count, 10)
    }

    /// A Pi restoring fake-hwclock after a crash logs with an earlier clock; events after the jump
    /// must still be found by `--since`.
    func testEventsSinceToleratesClockJumpingBackwards() throws {
        let directory = try makeTemporaryDirectory(self)
        let text = [
            eventLine("2026-11-25T09:00:00.000Z", "a"), eventLine("2026-11-25T10:30:00.000Z", "b"),
            eventLine("2026-11-25T10:05:00.000Z", "c"), eventLine("2026-11-25T10:25:00.000Z", "d"),
        ].joined()
        try writeBytes(Array(text.utf8), at: directory + "/events-2026-11.jsonl")
        let since = try XCTUnwrap(EventTimestamp.parse("2026-11-25T10:20:00Z"))
        XCTAssertEqual(try EventLogReader(directory: directory).events(since: since).map(\.kind), ["b", "d"])
        XCTAssertEqual(
            try EventLogReader(directory: directory).events(since: since, reorderTolerance: 0).map(\.kind), ["d"])
    }

    func testMissingDirectoryReadsAsEmpty() throws {
        let reader = EventLogReader(directory: try makeTemporaryDirectory(self) + "/nope")
        XCTAssertEqual(try reader.tail(limit: 5), [])
        XCTAssertNil(try reader.latestTimestamp())
    }

    /// Backwards chunked reading returns exactly the complete lines, whatever the chunk size;
    /// lines over the limit are skipped without being held.
    func testBackwardReadingIsIndependentOfChunkSize() throws {
        let directory = try makeTemporaryDirectory(self)
        var generator = SeededRandom(seed: 11)
        var expected: [Int64] = []
        var text = ""
        for index in 0..<300 {
            let padding = String(repeating: "p", count: Int.random(in: 0...300, using: &generator))
            if index % 37 == 5 {
                text += eventLine(
                    "2026-11-25T10:00:00.000Z", "huge",
                    #", "i": \#(index), "pad": "\#(String(repeating: "h", count: 5_000))""#)
            } else if index % 11 == 3 {
                text += "\n"
            } else {
                text += eventLine("2026-11-25T10:00:00.000Z", "ok", #", "i": \#(index), "pad": "\#(padding)""#)
                expected.append(Int64(index))
            }
        }
        text += #"{"ts": "torn"#
        try writeBytes(Array(text.utf8), at: directory + "/events-2026-11.jsonl")
        let parser = JSONParser(limits: .init(maxBytes: 4_096), invalidUTF8: .replace)
        for chunkSize in [1, 7, 64, 1_000, 4_096, 65_536] {
            let reader = EventLogReader(directory: directory, parser: parser, chunkSize: chunkSize)
            let found = try reader.tail(limit: 1_000).compactMap { $0.payload["i"]?.intValue }
            XCTAssertEqual(found, expected.reversed(), "chunk size \(chunkSize)")
        }
    }

    /// A ~200 MB log: tail(limit: 20) must read one chunk from the end, not the file.
    func testTailCostIsProportionalToWhatIsReturned() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/events-2026-11.jsonl"
        var block = ""
        for index in 0..<1_000 {
            block += eventLine(
                "2026-11-01T00:00:00.000Z", "round_progress",
                #", "i": \#(index), "pad": "\#(String(repeating: "z", count: 140))""#)
        }
        let blockData = Data(block.utf8)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        for _ in 0..<1_000 { try handle.write(contentsOf: blockData) }
        var tailText = ""
        for index in 0..<25 {
            tailText += eventLine(
                "2026-11-20T00:00:\(index < 10 ? "0" : "")\(index).000Z", "round_end", #", "last": \#(index)"#)
        }
        try handle.write(contentsOf: Data(tailText.utf8))
        try handle.close()
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).intValue
        XCTAssertGreaterThan(size, 200_000_000)

        let reader = EventLogReader(directory: directory)
        let started = Date()
        let events = try reader.tail(limit: 20)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(events.compactMap { $0.payload["last"]?.intValue }, Array((5..<25).reversed()))
        XCTAssertLessThanOrEqual(reader.bytesRead, 256 << 10)
        print(
            "tail(limit: 20) on \(size) bytes: read \(reader.bytesRead) bytes in \(String(format: "%.4f", elapsed)) s")

        let sinceReader = EventLogReader(directory: directory)
        let since = try XCTUnwrap(EventTimestamp.parse("2026-11-20T00:00:19Z"))
        XCTAssertEqual(try sinceReader.events(since: since).compactMap { $0.payload["last"]?.intValue }, Array(20..<25))
        XCTAssertLessThanOrEqual(sinceReader.bytesRead, 256 << 10)
        print("events(since:) on \(size) bytes: read \(sinceReader.bytesRead) bytes")
    }
}
