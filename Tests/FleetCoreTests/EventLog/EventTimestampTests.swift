import FleetCore
import Foundation
import XCTest

final class EventTimestampTests: XCTestCase {
    func testFormatsMillisecondsTruncated() throws {
        let instant = try XCTUnwrap(UTCInstant(.init(year: 2026, month: 11, day: 25, hour: 13, minute: 38, second: 29, nanosecond: 971_999_999)))
        XCTAssertEqual(EventTimestamp.format(instant), "2026-11-25T13:38:29.971Z")
        XCTAssertEqual(EventTimestamp.format(UTCInstant(seconds: 0)), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(EventTimestamp.format(UTCInstant(seconds: -1)), "1969-12-31T23:59:59.000Z")
        XCTAssertEqual(EventTimestamp.format(UTCInstant(seconds: 951_782_400)), "2000-02-29T00:00:00.000Z")
    }

    func testParsesVariants() throws {
        let expected = try XCTUnwrap(EventTimestamp.parse("2026-11-25T13:38:29.971Z"))
        XCTAssertEqual(expected.seconds, 1_795_613_909)
        XCTAssertEqual(expected.nanoseconds, 971_000_000)
        XCTAssertEqual(EventTimestamp.parse("2026-11-25T13:38:29.971+00:00"), expected)
        XCTAssertEqual(EventTimestamp.parse("2026-11-25T13:38:29.971000Z"), expected)
        XCTAssertEqual(EventTimestamp.parse("2026-11-25T15:38:29.971+02:00"), expected)
        XCTAssertEqual(EventTimestamp.parse("2026-11-25T10:08:29.971-0330"), expected)
        XCTAssertEqual(EventTimestamp.parse("2026-11-25T13:38:29.971"), expected)
        XCTAssertEqual(EventTimestamp.parse("2026-11-25T13:38:29Z")?.nanoseconds, 0)
        XCTAssertEqual(EventTimestamp.parse("2026-11-25T13:38:29.123456789123Z")?.nanoseconds, 123_456_789)
        XCTAssertEqual(EventTimestamp.parse("2026-11-25T13:38:29.5Z")?.nanoseconds, 500_000_000)
    }

    func testRejectsInvalidTimestamps() {
        for text in [
            "", "garbage", "2026-11-25", "2026-11-25T13:38Z", "2026-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-25T24:00:00Z",
            "2026-11-25T13:60:00Z", "2026-11-25T13:38:60Z", "2026-11-25T13:38:29.Z", "2026-11-25T13:38:29.971ZZ",
            "2026-11-25T13:38:29.971+24:00", "2026-11-25 13:38:29Z", "２０２６-11-25T13:38:29Z", "2026-11-25T13:38:29.971+0",
        ] {
            XCTAssertNil(EventTimestamp.parse(text), text)
        }
        XCTAssertNotNil(EventTimestamp.parse("2000-02-29T00:00:00Z"))
    }

    /// The hand-written calendar agrees with Foundation's over four centuries.
    func testCalendarMatchesFoundation() throws {
        var generator = SeededGenerator(seed: 3)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        for _ in 0..<2_000 {
            let seconds = Int64.random(in: -2_208_988_800...13_569_465_600, using: &generator)  // 1900...2400
            let ours = EventTimestamp.format(UTCInstant(seconds: seconds))
            let theirs = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            XCTAssertEqual(String(ours.prefix(19)) + "Z", theirs)
            XCTAssertEqual(EventTimestamp.parse(ours)?.seconds, seconds)
        }
    }

    func testExtremeInstantsDoNotTrap() {
        for seconds in [Int64.max, .min, .max - 1, .min + 1] {
            let instant = UTCInstant(seconds: seconds, nanoseconds: 999_999_999)
            XCTAssertFalse(EventTimestamp.format(instant).isEmpty)
            _ = instant.adding(seconds: .max)
            _ = instant.adding(seconds: .min)
        }
        XCTAssertEqual(UTCInstant(seconds: 5, nanoseconds: -1), UTCInstant(seconds: 4, nanoseconds: 999_999_999))
        XCTAssertEqual(UTCInstant(seconds: 5, nanoseconds: 2_500_000_000), UTCInstant(seconds: 7, nanoseconds: 500_000_000))
        XCTAssertEqual(UTCInstant(seconds: .max, nanoseconds: .max).seconds, .max)
        XCTAssertEqual(UTCInstant(seconds: .min, nanoseconds: .min).seconds, .min)
        XCTAssertLessThan(UTCInstant(seconds: 1, nanoseconds: 5), UTCInstant(seconds: 1, nanoseconds: 6))
    }
}
