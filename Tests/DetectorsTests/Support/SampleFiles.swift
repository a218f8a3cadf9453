import FleetCore
import Foundation
import XCTest

/// The real 0.3.14 output under `shared/spec/samples`, found by walking up from this file.
enum SampleFiles {
    struct NotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "spec samples not found (need a directory shared/spec/samples containing events-scenarios.jsonl); looked in:\n"
                + searched.joined(separator: "\n")
        }
    }

    /// The samples directory; throws (failing the test) with every place searched when it is missing.
    static func directory() throws -> URL {
        var searched: [String] = []
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while true {
            let candidate = directory.appendingPathComponent("shared/spec/samples")
            searched.append(candidate.path)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("events-scenarios.jsonl").path) {
                return candidate
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { throw NotFound(searched: searched) }
            directory = parent
        }
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        let url = try directory().appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw NotFound(searched: [url.path + " (unreadable)"])
        }
        return [UInt8](data)
    }

    /// Every event of a sample `.jsonl` file, in file order.
    static func events(_ name: String) throws -> [Event] {
        let bytes = try bytes(name)
        return bytes.split(separator: UInt8(ascii: "\n")).compactMap { Event(line: Array($0)) }
    }

    /// A sample JSON document.
    static func json(_ name: String) throws -> JSONValue {
        try JSONParser.strict.parse(try bytes(name))
    }
}
