import FleetCore
import Foundation
import TestSupport
import XCTest

final class EventTimestampTests: XCTestCase {
    func testFormatsMillisecondsTruncated() throws {
        let instant = try XCTUnwrap(
            UTCInstant(.init(year: 2026, month: 11, day: 25, hour: 13, minute: 38, second: 29, nanosecond: 971_999_999))
        )
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
            "2026-11-25T13:38:29.971+24:00", "2026-11-25 13:38:29Z", "２０２６-11-25T13:38:29Z",
            "2026-11-25T13:38:29.971+0",
        ] {
            XCTAssertNil(EventTimestamp.parse(text), text)
        }
        XCTAssertNotNil(EventTimestamp.parse("2000-02-29T00:00:00Z"))
    }

    /// The hand-written calendar agrees with Foundation's over four centuries.
    func testCalendarMatchesFoundation() throws {
        var generator = SeededRandom(seed: 3)
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
        XCTAssertEqual(
            UTCInstant(seconds: 5, nanoseconds: 2_500_000_000), UTCInstant(seconds: 7, nanoseconds: 500_000_000))
        XCTAssertEqual(UTCInstant(seconds: .max, nanoseconds: .max).seconds, .max)
        XCTAssertEqual(UTCInstant(seconds: .min, nanoseconds: .min).seconds, .min)
        XCTAssertLessThan(UTCInstant(seconds: 1, nanoseconds: 5), UTCInstant(seconds: 1, nanoseconds: 6))
    }
}

final class EventTimestampFastPathTests: XCTestCase {
    /// The canonical-form fast path must agree with the general scanner: a random instant
    /// formatted and parsed back is itself (to the millisecond), and the same text with an
    /// explicit `+00:00` zone (which the general scanner reads) gives the same instant.
    func testCanonicalFastPathAgreesWithTheGeneralScanner() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let seconds = Int64.random(in: -62_135_596_800...253_402_300_799, using: &generator)  // years 1..9999
            let instant = UTCInstant(seconds: seconds, nanoseconds: Int64.random(in: 0..<1_000) * 1_000_000)
            let text = EventTimestamp.format(instant)
            XCTAssertEqual(EventTimestamp.parse(text), instant, text)
            XCTAssertEqual(EventTimestamp.parse(String(text.dropLast()) + "+00:00"), instant, text)
        }
    }

    /// Canonical-shaped (24 bytes, separators in place) but invalid texts are still refused.
    func testCanonicalShapedButInvalidTextsAreRefused() {
        for text in [
            "2026-13-01T00:00:00.000Z", "2026-00-01T00:00:00.000Z", "2026-02-30T00:00:00.000Z",
            "2026-11-25T24:00:00.000Z",
            "2026-11-25T23:60:00.000Z", "2026-11-25T23:59:60.000Z", "2026-1a-25T13:38:29.971Z",
            "2026-11-25T13:38:29.97 Z",
            "20x6-11-25T13:38:29.971Z", "2026-11-25T13:38:29.9/1Z", "2026-11-25T13:38:29.:71Z",
        ] {
            XCTAssertNil(EventTimestamp.parse(text), text)
        }
    }
}
