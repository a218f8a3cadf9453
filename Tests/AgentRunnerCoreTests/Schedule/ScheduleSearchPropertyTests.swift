import FleetCore
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// `resumeAt` and `nextChange` jump between window edges and zone transitions; this checks them
/// against walking the clock minute by minute through random schedules, in zones with 60- and
/// 30-minute daylight-saving changes, at instants around those changes.
final class ScheduleSearchPropertyTests: XCTestCase {
    func testJumpingBetweenEdgesFindsWhatWalkingFinds() {
        var random = SeededRandom(seed: 0x5C4E_D01E)
        let zones = [TestZones.berlin, TestZones.newYork, TestZones.lordHowe]
        // Around the 2026 changes of each zone, and an ordinary week.
        let anchors = [
            utc(2026, 3, 28, 12, 0), utc(2026, 10, 24, 12, 0), utc(2026, 3, 7, 12, 0), utc(2026, 10, 31, 12, 0),
            utc(2026, 4, 4, 6, 0), utc(2026, 10, 3, 6, 0), utc(2026, 6, 10, 0, 0),
        ]
        for _ in 0..<40 {
            let zone = zones[random.below(zones.count)]
            let candidate = schedule(
                zone, timezone: zone.name,
                run: (0..<random.below(3)).map { _ in randomWindow(&random) },
                pause: (0..<random.below(3)).map { _ in randomWindow(&random) })
            let now = anchors[random.below(anchors.count)].adding(seconds: Int64(random.below(2 * 86_400)))
            let walked = walk(candidate, from: now)
            XCTAssertEqual(
                candidate.nextChange(after: now), walked.change,
                "\(zone.name) run \(candidate.runWindows) pause \(candidate.pauseWindows) from \(now)")
            XCTAssertEqual(
                candidate.resumeAt(after: now), walked.opening,
                "\(zone.name) run \(candidate.runWindows) pause \(candidate.pauseWindows) from \(now)")
        }
    }

    /// The first minute after `now` at which runnability differs, and the first at which a
    /// closed schedule opens, within 8 days (every offset here is a whole number of minutes, so
    /// every edge falls on a minute).
    private func walk(_ schedule: Schedule, from now: UTCInstant) -> (change: UTCInstant?, opening: UTCInstant?) {
        let initial = schedule.isRunnable(at: now)
        var previous = initial
        var change: UTCInstant?
        var minute = (now.seconds / 60 + 1) * 60
        let end = now.seconds + Schedule.lookAheadSeconds
        while minute <= end {
            let instant = UTCInstant(seconds: minute)
            let runnable = schedule.isRunnable(at: instant)
            if change == nil && runnable != initial { change = instant }
            if runnable && !previous { return (change, instant) }
            previous = runnable
            minute += 60
        }
        return (change, nil)
    }

    private func randomWindow(_ random: inout SeededRandom) -> String {
        let days = ["", "Mon ", "Sat,Sun ", "Mon-Fri ", "Sun ", "Tue-Thu,Sat "]
        var start = random.below(96) * 15
        var end = random.below(97) * 15
        if start == end { end = (end + 15) % 1440 }
        if end == 0 && random.below(2) == 0 { end = 1440 }
        if start == 1440 { start = 0 }
        func clock(_ minutes: Int) -> String {
            let hours = minutes / 60
            let rest = minutes % 60
            return (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
        }
        return days[random.below(days.count)] + clock(start) + "-" + clock(end)
    }
}
