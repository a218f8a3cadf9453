import FleetCore
import Foundation
import XCTest

/// Monthly logs age by calendar month, as logrotate's `monthly` + `rotate N` would keep them.
final class MonthlyLogRetentionTests: XCTestCase {
    func file(_ year: Int, _ month: Int, prefix: String = "events") -> EventLogFile {
        EventLogFile(directory: "/l", year: year, month: month, prefix: prefix)
    }

    func testKeepsTheCurrentMonthAndTheOnesBeforeItAcrossAYearBoundary() throws {
        let now = try XCTUnwrap(EventTimestamp.parse("2027-02-10T12:00:00.000Z"))
        let files = [file(2026, 1), file(2026, 2), file(2026, 3), file(2027, 1), file(2027, 2), file(2027, 3)]
        XCTAssertEqual(
            MonthlyLogRetention(keepMonths: 12).expired(files, now: now), [file(2026, 1), file(2026, 2)],
            "March 2026 to February 2027 stay; a future month (a wrong clock) too")
        XCTAssertEqual(MonthlyLogRetention(keepMonths: 1).expired(files, now: now).count, 4)
        XCTAssertEqual(MonthlyLogRetention(keepMonths: 0).expired(files, now: now), [], "0 keeps every month")
    }

    func testPruneDeletesOnlyTheExpiredFilesOfItsPrefix() throws {
        let directory = try makeTemporaryDirectory(self)
        let names = [
            "events-2025-12.jsonl", "events-2026-11.jsonl", "metrics-2025-12.jsonl", "fleet-events-2025-12.jsonl",
            "events-2025-12.jsonl.gz",
        ]
        for name in names { try Data("x\n".utf8).write(to: URL(fileURLWithPath: directory + "/" + name)) }
        let now = try XCTUnwrap(EventTimestamp.parse("2026-12-01T00:00:00.000Z"))
        let deleted = MonthlyLogRetention(keepMonths: 12).prune(directory: directory, prefix: "events", now: now)
        XCTAssertEqual(deleted, [directory + "/events-2025-12.jsonl"])
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted(),
            ["events-2025-12.jsonl.gz", "events-2026-11.jsonl", "fleet-events-2025-12.jsonl", "metrics-2025-12.jsonl"],
            "another log's months and an operator's archive stay")
    }
}
