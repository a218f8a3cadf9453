import Foundation
import TestSupport
import XCTest

@testable import FleetCore

/// Hostile input for every parser that reads data from outside: no crash, no hang, bounded memory.
final class HostileInputFuzzTests: XCTestCase {
    static let samples: URL? = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<8 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("shared/spec/samples")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return nil
    }()

    func sample(_ name: String) throws -> [UInt8] {
        guard let dir = Self.samples else {
            XCTFail(
                "the spec samples (../shared/spec/samples) are missing; lay out shared/ beside the checkout as CI does")
            throw MissingPrerequisite("samples missing")
        }
        return Array(try Data(contentsOf: dir.appendingPathComponent(name)))
    }

    func testTOMLParser() throws {
        let seeds = [
            try sample("agent-runner.toml"), try sample("migrate-input-0.2.x.toml"),
            Array("a = [1, [2, {b = 'c'}]]\n[t]\n\"q\" = \"\"\"x\\ny\"\"\"\nd = 1979-05-27T07:32:00.5-07:00\n".utf8),
        ]
        // Property: every refusal points inside the input (a line that exists, a column on it),
        // so the operator's `file:line:column` message is never a lie.
        Mutator.run(seeds: seeds, iterations: 4000) { input in
            do {
                _ = try TOML.parse(input)
            } catch let error as TOMLParseError {
                let lines = input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
                XCTAssertTrue(
                    (1...max(1, lines)).contains(error.position.line),
                    "line \(error.position.line) of \(lines): \(error)")
                XCTAssertGreaterThanOrEqual(error.position.column, 1, "\(error)")
                XCTAssertFalse(error.message.isEmpty)
            } catch {
                XCTFail("TOML.parse threw something other than TOMLParseError: \(error)")
            }
        }
        XCTAssertThrowsError(try TOML.parse(Array(repeating: UInt8(ascii: "["), count: 200_000)))
    }

    func testPeekJSONDecoder() throws {
        let seeds = [try sample("peek.json"), try sample("peek-throttled.json"), try sample("status.json")]
        let parser = JSONParser(limits: JSONParser.Limits(maxDepth: 64, maxBytes: 4 << 20))
        // Properties: what parses writes back to text that parses to the same value (round
        // trip); what does not parse is refused at a byte offset inside the input.
        Mutator.run(seeds: seeds, iterations: 3000) { input in
            do {
                let value = try parser.parse(input)
                _ = value.value(at: "system.disk_used_pct")
                let written = JSONWriter(style: .compact).encode(value)
                XCTAssertEqual(
                    try? parser.parse(written), value,
                    "round trip of \(String(decoding: written.prefix(200), as: UTF8.self))")
            } catch let error as JSONParseError {
                XCTAssertTrue(
                    (0...input.count).contains(error.offset), "offset \(error.offset) of \(input.count) bytes")
            } catch {
                XCTFail("the parser threw something other than JSONParseError: \(error)")
            }
        }
        // 100 MB of output from a malicious host is refused by the size limit, not read into a tree.
        let huge = [UInt8](repeating: UInt8(ascii: " "), count: 5 << 20)
        XCTAssertThrowsError(try parser.parse(huge))
        XCTAssertEqual(try parser.parse(Array("1e400".utf8)).doubleValue, .infinity)
        XCTAssertThrowsError(try parser.parse(Array(repeating: UInt8(ascii: "["), count: 100_000)))
    }

    func testEventLineReader() throws {
        let lines = try sample("events-scenarios.jsonl").split(separator: UInt8(ascii: "\n")).prefix(60).map(Array.init)
        // Property: an event read from a line is whole: a timestamp and a kind, and its payload
        // never repeats the envelope's keys.
        Mutator.run(seeds: lines, iterations: 4000) { input in
            guard let event = Event(line: input) else { return }
            XCTAssertFalse(event.kind.isEmpty)
            XCTAssertFalse(event.ts.isEmpty)
            XCTAssertNil(event.payload["ts"])
            XCTAssertNil(event.payload["event"])
        }
    }

    /// A whole log of mutated lines (torn lines, invalid UTF-8, garbage) read backwards and forwards.
    func testEventLogReaderOnCorruptFiles() throws {
        let lines = try sample("events-scenarios.jsonl").split(separator: UInt8(ascii: "\n")).map(Array.init)
        var mutator = Mutator(seed: 42)
        let dir = NSTemporaryDirectory() + "fuzz-log-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        for round in 0..<20 {
            var file: [UInt8] = []
            for _ in 0..<200 {
                let line = lines[mutator.below(lines.count)]
                file += mutator.below(4) == 0 ? mutator.mutate(line) : line
                if mutator.below(50) != 0 { file.append(UInt8(ascii: "\n")) }
            }
            try Data(file).write(to: URL(fileURLWithPath: dir + "/events-2026-11.jsonl"))
            // Property: reading backwards and forwards finds the same events, and the tail is
            // the end of the whole.
            let reader = EventLogReader(directory: dir)
            let tail = try reader.tail(limit: 50)
            XCTAssertLessThanOrEqual(tail.count, 50, "round \(round)")
            let all = try reader.lastEvents(100_000)
            XCTAssertEqual(tail.reversed().map(\.raw), Array(all.map(\.raw).suffix(tail.count)), "round \(round)")
            let forwards = try reader.events(since: UTCInstant(seconds: 0))
            let dated = all.filter { event in event.instant.map { $0 > UTCInstant(seconds: 0) } ?? false }
            XCTAssertEqual(forwards.map(\.raw), dated.map(\.raw), "round \(round)")
        }
    }
}
