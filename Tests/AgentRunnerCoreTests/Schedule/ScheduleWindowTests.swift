import FleetCore
import XCTest

@testable import AgentRunnerCore

final class ScheduleWindowTests: XCTestCase {
    func testAcceptedForms() throws {
        let plain = try ScheduleWindow.parse("09:00-17:00")
        XCTAssertEqual([plain.startMinute, plain.endMinute], [540, 1020])
        XCTAssertEqual(plain.weekdays, [])
        XCTAssertFalse(plain.wrapsPastMidnight)
        XCTAssertEqual(
            try ScheduleWindow.parse("Mon-Fri 09:00-17:00").weekdays,
            [.monday, .tuesday, .wednesday, .thursday, .friday])
        XCTAssertEqual(try ScheduleWindow.parse("sat,SUN 10:00-12:00").weekdays, [.saturday, .sunday])
        XCTAssertEqual(
            try ScheduleWindow.parse("Mon-Wed,Fri,sun 22:00-02:00").weekdays,
            [.monday, .tuesday, .wednesday, .friday, .sunday])
        XCTAssertEqual(try ScheduleWindow.parse("Tue-Tue 08:00-09:00").weekdays, [.tuesday])
        XCTAssertEqual(try ScheduleWindow.parse("Mon\t 09:00-10:00").weekdays, [.monday])
        let allDay = try ScheduleWindow.parse("00:00-24:00")
        XCTAssertEqual([allDay.startMinute, allDay.endMinute], [0, 1440])
        XCTAssertFalse(allDay.wrapsPastMidnight)
        XCTAssertTrue(try ScheduleWindow.parse("22:00-02:00").wrapsPastMidnight)
        XCTAssertTrue(try ScheduleWindow.parse("22:00-00:00").wrapsPastMidnight)
        XCTAssertEqual(
            try ScheduleWindow.parse("  Mon 09:00-10:00 ").label, "  Mon 09:00-10:00 ",
            "the label is kept verbatim for active_window")
    }

    func testErrorTextsAreTheOriginals() {
        let cases: [(String, String)] = [
            ("9:00-17:00", "invalid window '9:00-17:00': expected [WEEKDAYS ]HH:MM-HH:MM"),
            ("Mon-Fri 9:00-17:00", "invalid window 'Mon-Fri 9:00-17:00': expected [WEEKDAYS ]HH:MM-HH:MM"),
            ("", "invalid window '': expected [WEEKDAYS ]HH:MM-HH:MM"),
            ("09:00 - 17:00", "invalid window '09:00 - 17:00': expected [WEEKDAYS ]HH:MM-HH:MM"),
            ("Mon, Tue 09:00-10:00", "invalid window 'Mon, Tue 09:00-10:00': expected [WEEKDAYS ]HH:MM-HH:MM"),
            ("25:00-26:00", "window '25:00-26:00' start: hour 25 out of range"),
            ("09:00-25:00", "window '09:00-25:00' end: hour 25 out of range"),
            ("09:60-10:00", "window '09:60-10:00' start: minute 60 out of range"),
            ("09:00-10:99", "window '09:00-10:99' end: minute 99 out of range"),
            ("24:00-02:00", "window '24:00-02:00' start: 24:00 is only valid as an end bound"),
            ("22:00-24:30", "window '22:00-24:30' end: 24:00 is only valid as an end bound"),
            ("09:00-09:00", "invalid window '09:00-09:00': start equals end (zero-length)"),
            ("00:00-00:00", "invalid window '00:00-00:00': start equals end (zero-length)"),
            ("Fri-Mon 09:00-10:00", "weekday range must be ascending Mon..Sun: 'fri-mon'"),
            ("Mo 09:00-10:00", "invalid weekday 'mo'"),
            ("Monday 09:00-10:00", "invalid weekday 'monday'"),
            ("Mon-Fry 09:00-10:00", "invalid weekday range 'mon-fry'"),
            ("Mon- 09:00-10:00", "invalid weekday range 'mon-'"),
            ("Mon,,Tue 09:00-10:00", "empty weekday token in 'Mon,,Tue'"),
            ("it's 09:00-10:00", "invalid weekday \"it's\""),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try ScheduleWindow.parse(text), text) { error in
                XCTAssertEqual((error as? ScheduleWindowError)?.message, message, text)
            }
        }
    }

    func testWrappedTailBelongsToTheStartDay() throws {
        let friday = try ScheduleWindow.parse("Fri 22:00-02:00")
        XCTAssertTrue(friday.contains(weekday: .friday, minuteOfDay: 23 * 60))
        XCTAssertTrue(friday.contains(weekday: .saturday, minuteOfDay: 1 * 60 + 59))
        XCTAssertFalse(friday.contains(weekday: .saturday, minuteOfDay: 2 * 60), "exclusive end")
        XCTAssertFalse(
            friday.contains(weekday: .friday, minuteOfDay: 1 * 60), "Friday's early hours are Thursday's tail")
        XCTAssertFalse(friday.contains(weekday: .saturday, minuteOfDay: 23 * 60))
        XCTAssertFalse(friday.contains(weekday: .friday, minuteOfDay: 21 * 60 + 59))
    }

    func testSundayToMondayWrapAcrossTheWeekBoundary() throws {
        let sunday = try ScheduleWindow.parse("Sun 22:00-06:00")
        XCTAssertTrue(sunday.contains(weekday: .sunday, minuteOfDay: 22 * 60))
        XCTAssertTrue(
            sunday.contains(weekday: .monday, minuteOfDay: 5 * 60 + 59), "Monday's early hours are Sunday's tail")
        XCTAssertFalse(
            sunday.contains(weekday: .sunday, minuteOfDay: 5 * 60), "Sunday's early hours are Saturday's tail")
        let monday = try ScheduleWindow.parse("Mon 22:00-06:00")
        XCTAssertFalse(monday.contains(weekday: .monday, minuteOfDay: 3 * 60))
        XCTAssertTrue(monday.contains(weekday: .tuesday, minuteOfDay: 3 * 60))
        let everyDay = try ScheduleWindow.parse("22:00-06:00")
        XCTAssertTrue(everyDay.contains(weekday: .monday, minuteOfDay: 3 * 60))
    }

    func testEndAt2400CoversTheLastMinute() throws {
        let evening = try ScheduleWindow.parse("22:00-24:00")
        XCTAssertTrue(evening.contains(weekday: .monday, minuteOfDay: 1439))
        XCTAssertFalse(evening.contains(weekday: .tuesday, minuteOfDay: 0))
        let allDay = try ScheduleWindow.parse("Sat 00:00-24:00")
        XCTAssertTrue(allDay.contains(weekday: .saturday, minuteOfDay: 0))
        XCTAssertTrue(allDay.contains(weekday: .saturday, minuteOfDay: 1439))
        XCTAssertFalse(allDay.contains(weekday: .sunday, minuteOfDay: 0))
    }
}
