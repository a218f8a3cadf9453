import Detectors
import FleetCore
import Foundation
import XCTest

/// The real original 0.3.14's recorded outputs (Tests/EndToEndTests/Fixtures/original, see its
/// README): peek documents, event logs and `peek --round latest --log` answers per round case.
enum OriginalFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("EndToEndTests/Fixtures/original").path

    static func bytes(_ relative: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: directory + "/" + relative) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: directory + "/" + relative])
        }
        return [UInt8](data)
    }

    static func json(_ relative: String) throws -> JSONValue {
        try JSONParser.strict.parse(try bytes(relative))
    }

    /// The raw event objects of a recorded `events.jsonl`, oldest first, up to `until` (a ts).
    static func events(_ relative: String, until: String? = nil) throws -> [JSONValue] {
        try bytes(relative).split(separator: UInt8(ascii: "\n")).map { try JSONParser.strict.parse(Array($0)) }
            .filter { until == nil || ($0["ts"]?.stringValue ?? "") <= until! }
    }

    /// The case's `peek.json` with `recent_events` set to its whole event log, as
    /// `peek --json --events 200` reads it (fleetctl's poll).
    static func peekWithEvents(_ name: String, until: String? = nil) throws -> JSONValue {
        guard case .object(var document) = try json("rounds/\(name)/peek.json") else {
            throw CocoaError(.fileReadCorruptFile)
        }
        document["recent_events"] = .array(try events("rounds/\(name)/events.jsonl", until: until))
        return .object(document)
    }

    /// The poller's clock for these recordings: `seconds` after the case's last event.
    static func after(_ name: String, seconds: Int64) throws -> UTCInstant {
        let last = try events("rounds/\(name)/events.jsonl").compactMap { $0["ts"]?.stringValue }.max()
        let instant = try XCTUnwrap(last.flatMap(EventTimestamp.parse))
        return UTCInstant(seconds: instant.seconds + seconds)
    }
}
