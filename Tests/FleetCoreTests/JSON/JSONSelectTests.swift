import FleetCore
import XCTest

/// The `--select` walker both peek verbs use: what a path finds, and the one error text.
final class JSONSelectTests: XCTestCase {
    let document: JSONValue = [
        "defenses": [["name": "round_budget_s"], ["name": "crash_loop"]],
        "status": ["round_num": 12, "0": "key named zero"],
        "": ["empty": true],
    ]

    func testPathsThroughObjectsAndArrays() throws {
        XCTAssertEqual(try JSONSelect.select("defenses.0.name", in: document), "round_budget_s")
        XCTAssertEqual(try JSONSelect.select("defenses.1", in: document), ["name": "crash_loop"])
        XCTAssertEqual(
            try JSONSelect.select("status.0", in: document), "key named zero",
            "objects look numbers up as keys")
        XCTAssertEqual(try JSONSelect.select(".empty", in: document), true, "an empty segment is the key \"\"")
        XCTAssertEqual(try JSONSelect.select("status", in: document)["round_num"], 12)
    }

    func testMissesNameTheSegment() {
        for (path, segment) in [
            ("nope.x", "nope"), ("defenses.99", "99"), ("defenses.name", "name"),
            ("defenses.-1", "-1"), ("status.round_num.x", "x"), ("defenses.", ""),
        ] {
            XCTAssertThrowsError(try JSONSelect.select(path, in: document)) { error in
                XCTAssertEqual(error as? JSONSelect.Miss, JSONSelect.Miss(segment: segment, path: path))
                XCTAssertEqual("\(error)", "path segment '\(segment)' not found in select path '\(path)'")
            }
        }
    }
}
