import FleetCore
import XCTest

final class CivilDateTests: XCTestCase {
    func testKnownDates() {
        XCTAssertEqual(CivilDate(daysSinceEpoch: 0).description, "1970-01-01")
        XCTAssertEqual(CivilDate(daysSinceEpoch: 0).weekday, .thursday)
        XCTAssertEqual(CivilDate(year: 2000, month: 2, day: 29)?.daysSinceEpoch, 11_016)
        XCTAssertEqual(CivilDate(year: 2024, month: 3, day: 31)?.weekday, .sunday)
        XCTAssertEqual(CivilDate(year: 2011, month: 12, day: 30)?.weekday, .friday)
        XCTAssertEqual(CivilDate(year: 1969, month: 12, day: 31)?.daysSinceEpoch, -1)
        XCTAssertEqual(CivilDate(year: 1969, month: 12, day: 31)?.weekday, .wednesday)
        XCTAssertEqual(CivilDate(year: 2100, month: 1, day: 1)?.weekday, .friday)
        XCTAssertEqual(CivilDate(year: -1, month: 1, day: 1)?.description, "-0001-01-01")
    }

    func testInvalidDatesAreRejected() {
        XCTAssertNil(CivilDate(year: 2023, month: 2, day: 29))
        XCTAssertNil(CivilDate(year: 1900, month: 2, day: 29))
        XCTAssertNotNil(CivilDate(year: 2000, month: 2, day: 29))
        XCTAssertNil(CivilDate(year: 2024, month: 13, day: 1))
        XCTAssertNil(CivilDate(year: 2024, month: 4, day: 31))
        XCTAssertNil(CivilDate(year: 2024, month: 1, day: 0))
    }

    func testDayCountsRoundTripAndWeekdaysCycle() {
        // 1 400 000 days, 54 BC to AD 3886: every leap-year rule, both signs of the day count.
        var previous = CivilDate(daysSinceEpoch: -700_001)
        for days in Int64(-700_000)...700_000 {
            let date = CivilDate(daysSinceEpoch: days)
            let followsPrevious =
                date.day == 1
                ? previous.day == CivilDate.daysInMonth(year: previous.year, month: previous.month)
                    && (date.month == previous.month % 12 + 1)
                : previous.day + 1 == date.day && previous.month == date.month
            guard date.daysSinceEpoch == days, previous < date, followsPrevious,
                date.weekday.rawValue == (previous.weekday.rawValue + 1) % 7,
                CivilDate(year: date.year, month: date.month, day: date.day) == date
            else {
                return XCTFail("day \(days): \(previous) then \(date)")
            }
            previous = date
        }
    }

    func testExtremeDayCountsDoNotTrap() {
        for days in [Int64.max / 86_400, Int64.min / 86_400, 0] {
            let date = CivilDate(daysSinceEpoch: days)
            XCTAssertEqual(date.daysSinceEpoch, days)
        }
        XCTAssertEqual(LocalDateTime(localSeconds: .max).localSeconds, .max)
        XCTAssertEqual(LocalDateTime(localSeconds: .min).localSeconds, .min)
    }

    func testWeekdayAbbreviations() {
        XCTAssertEqual(Weekday(abbreviation: "mon"), .monday)
        XCTAssertEqual(Weekday(abbreviation: "SUN"), .sunday)
        XCTAssertNil(Weekday(abbreviation: "monday"))
        XCTAssertEqual(Weekday.monday.previous, .sunday)
        XCTAssertEqual(Weekday.allCases.map(\.abbreviation), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    }
}
