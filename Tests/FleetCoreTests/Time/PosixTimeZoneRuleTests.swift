import XCTest

@testable import FleetCore

/// POSIX `TZ` rules (TZif footers) against glibc, which reads the same grammar from `TZ`.
final class PosixTimeZoneRuleTests: XCTestCase {
    static let rules = [
        "CET-1CEST,M3.5.0,M10.5.0/3",
        "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
        "EST5EDT,M3.2.0,M11.1.0",
        "EST5EDT",  // no rule: the US default
        "XXX3YYY,J60/2,J300/2",  // Julian days, February 29th never counted
        "XXX3YYY,60/2,300/2",  // zero-based days, February 29th counted
        "<-03>3<-02>,M10.3.0/0,M2.3.0/0",  // southern hemisphere, changes at midnight
        "AAA3BBB,M3.2.0/-1,M11.1.0/26",  // version 3: negative and > 24 h change times
        "<+0330>-3:30<+0430>,J79/24,J263/24",
        "IST-1GMT0,M10.5.0,M3.5.0/1",  // Ireland: winter is the "daylight saving" time
        "<+0545>-5:45",
        "UTC0",
    ]

    func testRulesAgreeWithGlibc() throws {
        for text in Self.rules {
            let zone = IANAZone(name: text, rule: try PosixTimeZoneRule(text))
            var instants = ReferenceDate.probeInstants(zone, years: 2019...2031, step: 86_399)
            instants += ReferenceDate.probeInstants(zone, years: 2396...2404, step: 999_999)
            try ReferenceDate.assertAgrees(zone, tz: text, at: instants)
        }
    }

    /// RFC 8536 §3.3.1: daylight saving from January 1st 00:00 to December 31st 24:00 plus the
    /// saving is daylight saving all year. (glibc 2.36 gets the hours around each UTC new year
    /// wrong for this rule, so it is checked here and not against `date`.)
    func testAllYearDaylightSaving() throws {
        let zone = IANAZone(name: "all-year", rule: try PosixTimeZoneRule("EST5EDT4,0/0,J365/25"))
        for seconds in stride(from: Int64(1_546_200_000), to: 1_735_800_000, by: 3_599) {
            XCTAssertEqual(zone.localTime(at: UTCInstant(seconds: seconds)).abbreviation, "EDT", "\(seconds)")
        }
        XCTAssertNil(zone.nextTransition(after: UTCInstant(seconds: 1_700_000_000)))
    }

    func testParsedFields() throws {
        let berlin = try PosixTimeZoneRule("CET-1CEST,M3.5.0,M10.5.0/3")
        XCTAssertEqual(berlin.standard, LocalTimeType(utcOffset: 3_600, isDaylightSaving: false, abbreviation: "CET"))
        XCTAssertEqual(
            berlin.daylightSaving?.type, LocalTimeType(utcOffset: 7_200, isDaylightSaving: true, abbreviation: "CEST"))
        XCTAssertEqual(berlin.daylightSaving?.start.day, .monthWeekDay(month: 3, week: 5, weekday: 0))
        XCTAssertEqual(berlin.daylightSaving?.start.time, 7_200)
        XCTAssertEqual(berlin.daylightSaving?.end.time, 10_800)
        let lordHowe = try PosixTimeZoneRule("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0")
        XCTAssertEqual(lordHowe.standard.abbreviation, "+1030")
        XCTAssertEqual(lordHowe.standard.utcOffset, 37_800)
        XCTAssertEqual(lordHowe.daylightSaving?.type.utcOffset, 39_600)
        XCTAssertEqual(
            try PosixTimeZoneRule("XXX3YYY,J60/2,J300/2").daylightSaving?.start.day, .julianSkippingLeapDay(60))
        XCTAssertEqual(try PosixTimeZoneRule("XXX3YYY,60/2,300/2").daylightSaving?.start.day, .zeroBasedDayOfYear(60))
        XCTAssertNil(try PosixTimeZoneRule("<-03>3").daylightSaving)
    }

    func testJulianDaysAroundTheLeapDay() {
        // J60 is March 1st in every year; day 60 is March 1st in common years and February 29th in leap years.
        for year: Int64 in [2023, 2024, 2100, 2000] {
            let march1 = CivilDate(year: year, month: 3, day: 1)!.daysSinceEpoch
            XCTAssertEqual(
                PosixTimeZoneRule.dayNumber(.julianSkippingLeapDay(60), year: year), march1, "J60 in \(year)")
            let expected = CivilDate.isLeapYear(year) ? march1 - 1 : march1
            XCTAssertEqual(PosixTimeZoneRule.dayNumber(.zeroBasedDayOfYear(59), year: year), expected, "59 in \(year)")
        }
    }

    func testMalformedRulesAreErrors() {
        let bad = [
            "", "CE-1", "CET", "CET-25", "CET-1:60", "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0",
            "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J300", "CET-1CEST,366,1", "CET-1CEST,M3.5.0", "CET-1CEST,M3.5.0,",
            "CET-1CEST,M3.5.0/168,M10.5.0", "<+1>-1", "<+10", "CET-1CEST,M3.5.0,M10.5.0/3 ",
            "CET-1CEST,M3.5.0,M10.5.0x",
            "CET-1000",
        ]
        for text in bad {
            XCTAssertThrowsError(try PosixTimeZoneRule(text), "'\(text)' should be rejected")
        }
        do {
            _ = try PosixTimeZoneRule("CET-25")
        } catch {
            XCTAssertEqual(error.message, "expected a UTC offset: hours 0-24 at character 5 of 'CET-25'")
        }
    }
}
