import FleetCore
import XCTest

@testable import AgentRunnerCore

/// The runnable predicate, the pause serve enters and its `resume_at`, on injected instants.
final class ScheduleTests: XCTestCase {
    let berlin = TestZones.berlin
    let newYork = TestZones.newYork

    func testNoWindowsIsAlwaysRunnable() {
        let open = schedule()
        XCTAssertFalse(open.isEnabled)
        XCTAssertTrue(open.isRunnable(at: utc(2026, 6, 1, 3, 0)))
        XCTAssertNil(open.pause(at: utc(2026, 6, 1, 3, 0)))
        XCTAssertNil(open.nextChange(after: utc(2026, 6, 1, 3, 0)))
    }

    func testOutsideRunWindowsPausesUntilTheNextOpening() throws {
        let office = schedule(run: ["Mon-Fri 09:00-17:00"])
        // Monday 2026-06-01, 08:59 in Berlin (CEST).
        let pause = try XCTUnwrap(office.pause(at: wall(berlin, 2026, 6, 1, 8, 59)))
        XCTAssertEqual(pause.activeWindow, "outside run_windows")
        XCTAssertEqual(pause.resumeAtText, "2026-06-01T09:00:00+02:00")
        XCTAssertEqual(pause.timezone, "Europe/Berlin")
        XCTAssertTrue(office.isRunnable(at: wall(berlin, 2026, 6, 1, 9, 0)))
        XCTAssertTrue(office.isRunnable(at: wall(berlin, 2026, 6, 1, 16, 59)))
        XCTAssertFalse(office.isRunnable(at: wall(berlin, 2026, 6, 1, 17, 0)), "the end is exclusive")
        // Friday evening: the weekend passes before the next opening.
        let weekend = try XCTUnwrap(office.pause(at: wall(berlin, 2026, 6, 5, 18, 0)))
        XCTAssertEqual(weekend.resumeAtText, "2026-06-08T09:00:00+02:00")
        XCTAssertEqual(weekend.resumeAt?.weekday, .monday)
    }

    func testPauseWindowWinsAndIsReportedVerbatim() throws {
        let lunch = schedule(run: ["08:00-20:00"], pause: ["Mon-Fri 12:00-13:00", " 12:30-14:00"])
        let pause = try XCTUnwrap(lunch.pause(at: wall(berlin, 2026, 6, 1, 12, 30)))
        XCTAssertEqual(pause.activeWindow, "Mon-Fri 12:00-13:00", "the first pause window that matches")
        XCTAssertEqual(pause.resumeAtText, "2026-06-01T14:00:00+02:00", "both pause windows must have ended")
        XCTAssertEqual(try XCTUnwrap(lunch.pause(at: wall(berlin, 2026, 6, 6, 12, 45))).activeWindow, " 12:30-14:00")
        XCTAssertTrue(lunch.isRunnable(at: wall(berlin, 2026, 6, 6, 12, 15)), "Saturday has no lunch pause")
        let nightsOff = schedule(pause: ["22:00-06:00"])
        XCTAssertEqual(
            try XCTUnwrap(nightsOff.pause(at: wall(berlin, 2026, 6, 1, 23, 0))).resumeAtText,
            "2026-06-02T06:00:00+02:00")
    }

    func testWindowAcrossMidnight() throws {
        let night = schedule(run: ["22:00-02:00"])
        XCTAssertTrue(night.isRunnable(at: wall(berlin, 2026, 6, 2, 1, 0)))
        XCTAssertTrue(night.isRunnable(at: wall(berlin, 2026, 6, 1, 23, 59)))
        let pause = try XCTUnwrap(night.pause(at: wall(berlin, 2026, 6, 2, 2, 0)))
        XCTAssertEqual(pause.resumeAtText, "2026-06-02T22:00:00+02:00")
        XCTAssertEqual(night.nextChange(after: wall(berlin, 2026, 6, 1, 23, 0)), wall(berlin, 2026, 6, 2, 2, 0))
    }

    func testSundayNightWindowRunsIntoMonday() throws {
        let sundayNight = schedule(run: ["Sun 22:00-06:00"])
        // Sunday 2026-06-07 22:00 to Monday 06:00.
        XCTAssertTrue(sundayNight.isRunnable(at: wall(berlin, 2026, 6, 8, 5, 59)))
        XCTAssertFalse(
            sundayNight.isRunnable(at: wall(berlin, 2026, 6, 7, 5, 0)), "Sunday's early hours belong to Saturday")
        let pause = try XCTUnwrap(sundayNight.pause(at: wall(berlin, 2026, 6, 8, 6, 0)))
        XCTAssertEqual(
            pause.resumeAtText, "2026-06-14T22:00:00+02:00", "six days and 16 hours ahead, within the 8-day look-ahead")
    }

    func testNothingOpensWithinEightDays() throws {
        let never = schedule(pause: ["00:00-24:00"])
        let pause = try XCTUnwrap(never.pause(at: utc(2026, 6, 1, 12, 0)))
        XCTAssertNil(pause.resumeAt)
        XCTAssertEqual(pause.resumeAtText, "")
        XCTAssertEqual(pause.activeWindow, "00:00-24:00")
        XCTAssertNil(pause.wakeAt(after: utc(2026, 6, 1, 12, 0)))
        // A weekly window just closed opens again 6 days 23 hours later, within the look-ahead.
        let rare = schedule(run: ["Mon 12:01-13:00"])
        XCTAssertEqual(rare.resumeAt(after: wall(berlin, 2026, 6, 1, 13, 0)), wall(berlin, 2026, 6, 8, 12, 1))
        // Windows that cancel out never open.
        XCTAssertNil(
            schedule(run: ["Mon 12:00-13:00"], pause: ["12:00-13:00"]).resumeAt(after: wall(berlin, 2026, 6, 1, 13, 0)))
    }

    // MARK: Daylight saving

    /// 2026-03-29, Berlin: 02:00 CET becomes 03:00 CEST; wall times 02:00-02:59 never happen.
    func testSpringForwardGapInsideAWindow() throws {
        let gapStart = utc(2026, 3, 29, 1, 0)
        // A window inside the gap never opens that day; the next opening is Monday's.
        let insideGap = schedule(run: ["02:00-03:00"])
        let pause = try XCTUnwrap(insideGap.pause(at: utc(2026, 3, 29, 0, 30)))
        XCTAssertEqual(pause.resumeAtText, "2026-03-30T02:00:00+02:00")
        // A window starting inside the gap opens the moment the clocks jump (03:00 CEST).
        let startsInGap = schedule(run: ["02:30-04:00"])
        XCTAssertEqual(
            try XCTUnwrap(startsInGap.pause(at: utc(2026, 3, 29, 0, 30))).resumeAtText, "2026-03-29T03:00:00+02:00")
        XCTAssertEqual(startsInGap.resumeAt(after: utc(2026, 3, 29, 0, 30)), gapStart)
        // A pause window ending inside the gap ends at the jump too.
        let pausedIntoGap = schedule(pause: ["01:00-02:30"])
        XCTAssertFalse(pausedIntoGap.isRunnable(at: utc(2026, 3, 29, 0, 59, 59)))
        XCTAssertTrue(pausedIntoGap.isRunnable(at: gapStart))
        XCTAssertEqual(pausedIntoGap.nextChange(after: utc(2026, 3, 29, 0, 30)), gapStart)
        // The day is 23 hours long: a 01:00-04:00 window lasts two real hours.
        let spanning = schedule(run: ["01:00-04:00"])
        XCTAssertEqual(spanning.nextChange(after: utc(2026, 3, 29, 0, 0)), utc(2026, 3, 29, 2, 0))
    }

    /// 2026-10-25, Berlin: 03:00 CEST becomes 02:00 CET; wall times 02:00-02:59 happen twice.
    func testFallBackFoldRepeatsTheWindow() throws {
        let fold = schedule(run: ["02:00-02:30"])
        XCTAssertTrue(fold.isRunnable(at: utc(2026, 10, 25, 0, 15)), "02:15 CEST")
        XCTAssertTrue(fold.isRunnable(at: utc(2026, 10, 25, 1, 15)), "02:15 CET, the second time")
        let pause = try XCTUnwrap(fold.pause(at: utc(2026, 10, 25, 0, 45)))
        XCTAssertEqual(pause.resumeAtText, "2026-10-25T02:00:00+01:00", "reopens at the second 02:00, 15 minutes later")
        XCTAssertEqual(pause.resumeAt?.instant, utc(2026, 10, 25, 1, 0))
    }

    /// New York, 2026: clocks spring forward on March 8 and fall back on November 1.
    func testNewYorkTransitions() throws {
        let notAtTwo = schedule(newYork, timezone: "America/New_York", pause: ["02:00-03:00"])
        XCTAssertTrue(notAtTwo.isRunnable(at: utc(2026, 3, 8, 6, 59)), "01:59 EST")
        XCTAssertTrue(notAtTwo.isRunnable(at: utc(2026, 3, 8, 7, 0)), "03:00 EDT: the pause window never happened")
        XCTAssertEqual(notAtTwo.nextChange(after: utc(2026, 3, 8, 6, 0)), utc(2026, 3, 9, 6, 0), "Monday 02:00 EDT")
        // The fold makes a one-hour pause window last two real hours.
        let notAtOne = schedule(newYork, timezone: "America/New_York", pause: ["01:00-02:00"])
        let pause = try XCTUnwrap(notAtOne.pause(at: utc(2026, 11, 1, 5, 30)))
        XCTAssertEqual(pause.resumeAtText, "2026-11-01T02:00:00-05:00")
        XCTAssertFalse(notAtOne.isRunnable(at: utc(2026, 11, 1, 6, 30)), "01:30 EST, the second time")
    }

    func testThirtyMinuteDaylightSaving() throws {
        // Lord Howe Island, 2026-10-04: 02:00 (+10:30) becomes 02:30 (+11).
        let lordHowe = schedule(
            TestZones.lordHowe, timezone: "Australia/Lord_Howe", run: ["02:10-02:20", "02:40-03:00"])
        let pause = try XCTUnwrap(lordHowe.pause(at: wall(TestZones.lordHowe, 2026, 10, 4, 1, 0)))
        XCTAssertEqual(pause.resumeAtText, "2026-10-04T02:40:00+11:00")
    }

    // MARK: Parsing and errors

    func testParseLoadsTheZoneAndInheritsIt() throws {
        let zones = TestZones.Source()
        let global = try Schedule.parse(
            timezone: "Europe/Berlin", runWindows: ["Mon-Fri 09:00-17:00"], pauseWindows: [], zones: zones)
        XCTAssertEqual(global.zone, berlin)
        XCTAssertEqual(global.runWindows.map(\.label), ["Mon-Fri 09:00-17:00"])
        let inherited = try Schedule.parse(
            timezone: nil, runWindows: ["18:00-20:00"], pauseWindows: [], inheriting: global, zones: zones)
        XCTAssertEqual(inherited.timezone, "Europe/Berlin")
        XCTAssertEqual(inherited.zone, berlin)
        XCTAssertEqual(inherited.runWindows.map(\.label), ["18:00-20:00"], "a phase schedule replaces the windows")
        let own = try Schedule.parse(
            timezone: "America/New_York", runWindows: [], pauseWindows: ["00:00-06:00"], inheriting: global,
            zones: zones)
        XCTAssertEqual(own.zone, newYork)
        let local = try Schedule.parse(timezone: nil, runWindows: ["09:00-17:00"], pauseWindows: [], zones: zones)
        XCTAssertEqual(local.timezoneLabel, "local")
        XCTAssertTrue(local.isRunnable(at: utc(2026, 6, 1, 14, 0)), "10:00 in New York, the host zone")
        XCTAssertFalse(local.isRunnable(at: utc(2026, 6, 1, 8, 0)), "04:00 in New York")
    }

    func testUnknownZone() {
        XCTAssertThrowsError(
            try Schedule.parse(timezone: "Mars/Olympus", runWindows: [], pauseWindows: [], zones: TestZones.Source())
        ) { error in
            let scheduleError = error as? ScheduleError
            XCTAssertEqual(scheduleError?.key, .timezone)
            XCTAssertEqual(scheduleError?.description, "schedule.timezone: unknown IANA zone 'Mars/Olympus'")
            XCTAssertEqual(
                scheduleError?.text(table: "phases.review.schedule"),
                "phases.review.schedule.timezone: unknown IANA zone 'Mars/Olympus'")
        }
        // Through the host's database, as serve loads it.
        XCTAssertThrowsError(try Schedule.parse(timezone: "Europe/Berln", runWindows: [], pauseWindows: [])) { error in
            XCTAssertEqual(
                (error as? ScheduleError)?.description, "schedule.timezone: unknown IANA zone 'Europe/Berln'")
        }
        XCTAssertThrowsError(try Schedule.parse(timezone: "../../etc/passwd", runWindows: [], pauseWindows: [])) {
            error in
            XCTAssertEqual((error as? ScheduleError)?.key, .timezone)
        }
    }

    func testWindowErrorsNameTheListAndElement() {
        XCTAssertThrowsError(
            try Schedule.parse(
                timezone: "Europe/Berlin", runWindows: ["09:00-17:00", "9-17"], pauseWindows: [],
                zones: TestZones.Source())
        ) { error in
            let scheduleError = error as? ScheduleError
            XCTAssertEqual(scheduleError?.key, .runWindows)
            XCTAssertEqual(scheduleError?.index, 1)
            XCTAssertEqual(
                scheduleError?.description,
                "schedule.run_windows: invalid window '9-17': expected [WEEKDAYS ]HH:MM-HH:MM")
        }
        XCTAssertThrowsError(
            try Schedule.parse(
                timezone: "Europe/Berlin", runWindows: [], pauseWindows: ["Sun-Sat 01:00-02:00"],
                zones: TestZones.Source())
        ) { error in
            XCTAssertEqual(
                (error as? ScheduleError)?.text(table: "phases.build.schedule"),
                "phases.build.schedule.pause_windows: weekday range must be ascending Mon..Sun: 'sun-sat'")
        }
        // The zone is checked first, as in the original.
        XCTAssertThrowsError(
            try Schedule.parse(
                timezone: "Nowhere/Town", runWindows: ["bad"], pauseWindows: [], zones: TestZones.Source())
        ) { error in
            XCTAssertEqual((error as? ScheduleError)?.key, .timezone)
        }
    }

    // MARK: Events

    func testEventPayloads() throws {
        let office = schedule(run: ["Mon-Fri 09:00-17:00"])
        let pause = try XCTUnwrap(office.pause(at: wall(berlin, 2026, 6, 1, 8, 0)))
        XCTAssertEqual(
            JSONWriter().string(.object(pause.pausedPayload)),
            #"{"active_window": "outside run_windows", "resume_at": "2026-06-01T09:00:00+02:00", "timezone": "Europe/Berlin"}"#
        )
        XCTAssertEqual(
            JSONWriter().string(.object(SchedulePause.resumedPayload(pausedForS: 3_600))), #"{"paused_for_s": 3600}"#)
        let local = schedule(newYork, timezone: nil, pause: ["00:00-24:00"])
        XCTAssertEqual(
            JSONWriter().string(.object(try XCTUnwrap(local.pause(at: utc(2026, 6, 1, 0, 0))).pausedPayload)),
            #"{"active_window": "00:00-24:00", "resume_at": "", "timezone": "local"}"#)
    }

    func testPauseEndsWhenTheWindowOpens() throws {
        let office = schedule(run: ["Mon-Fri 09:00-17:00"])
        let now = wall(berlin, 2026, 6, 1, 8, 0)
        let pause = try XCTUnwrap(office.pause(at: now))
        XCTAssertFalse(pause.hasEnded(at: now))
        XCTAssertEqual(pause.wakeAt(after: now), wall(berlin, 2026, 6, 1, 9, 0))
        XCTAssertFalse(pause.hasEnded(at: wall(berlin, 2026, 6, 1, 8, 59)))
        XCTAssertTrue(pause.hasEnded(at: wall(berlin, 2026, 6, 1, 9, 0)))
    }
}
