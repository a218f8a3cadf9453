import Detectors
import FleetCore
import Foundation
import TestSupport
import XCTest

@testable import Monitoring

/// Status facts from the original 0.3.14's peek (schema 2.6, shared/spec/samples) and ours.
final class HostFactsTests: XCTestCase {
    func sample(_ name: String) throws -> JSONValue {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let path = directory.appendingPathComponent("shared/spec/samples/" + name).path
            if FileManager.default.fileExists(atPath: path) {
                return try JSONParser.strict.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            }
            directory = directory.deletingLastPathComponent()
        }
        XCTFail("shared/spec/samples/\(name) not found above \(#filePath)")
        return .null
    }

    func testOriginalPeekThrottled() throws {
        let facts = HostFacts(peek: try sample("peek-throttled.json"), polledAt: Peek.time(0))
        XCTAssertEqual(facts.service, "stopped")
        XCTAssertEqual(facts.serviceMode, "none")
        XCTAssertEqual(facts.round, 21)
        XCTAssertEqual(facts.lastExit, 1)
        XCTAssertEqual(facts.diskUsedPct, 15.8)
        XCTAssertEqual(facts.version, "0.3.x (schema 2.6)")
        XCTAssertEqual(facts.throttle, "claude until 2026-11-25T15:42:02.000Z (rate_limit_account)")
        XCTAssertNil(facts.clockSkewS, "0.3.14 reports no generated_at")
    }

    func testOriginalPeekFreshHasNoDiskSample() throws {
        let facts = HostFacts(peek: try sample("peek-fresh.json"), polledAt: Peek.time(0))
        XCTAssertNil(facts.diskUsedPct, "all-zero system block before any metrics: no sample")
        XCTAssertNil(facts.throttle)
    }

    func testOursWithSkew() {
        let facts = HostFacts(peek: Peek.document(at: 42, disk: 61.5), polledAt: Peek.time(0))
        XCTAssertEqual(facts.version, "0.9.0-test")
        XCTAssertEqual(facts.service, "running")
        XCTAssertEqual(facts.round, 12)
        XCTAssertEqual(facts.clockSkewS, 42)
        let row = HostRow(host: "pi", reachable: true, reachability: "reachable", facts: facts, alerts: [], error: nil)
        XCTAssertEqual(row.json()["clock_skew_s"], 42.0)
        XCTAssertTrue(row.isHealthy)
        XCTAssertEqual(StatusTable.render([row]).split(separator: "\n").count, 2)
    }
}
