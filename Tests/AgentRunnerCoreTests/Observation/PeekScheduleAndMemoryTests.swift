import Detectors
import FleetCore
import Foundation
import XCTest

@testable import AgentRunnerCore

/// What peek shows of the schedule and the memory defenses, and what fleetctl's detectors make
/// of it: the pause and when rounds resume, the next window change while rounds run, the
/// brake's state for the running serve, the memory defenses in `defenses`.
final class PeekScheduleAndMemoryTests: XCTestCase {
    let schedule = """
        [schedule]
        timezone = "Europe/Berlin"
        run_windows = ["Mon-Fri 08:00-20:00"]
        pause_windows = ["Mon-Fri 12:00-13:00"]
        """

    func testWhilePausedPeekSaysWhyAndWhenRoundsResume() throws {
        let fixture = try ObservationFixture(self, extra: schedule, zones: TestZones.Source())
        let saturday = wall(TestZones.berlin, 2026, 11, 21, 10, 0)
        try fixture.writer.append(
            SchedulePaused(
                activeWindow: "outside run_windows", resumeAt: "2026-11-23T08:00:00+01:00",
                timezone: "Europe/Berlin", phase: nil), at: saturday)
        let document = try fixture.builder(now: saturday.adding(seconds: 60)).build(PeekOptions()).document
        XCTAssertEqual(
            document["schedule"],
            .object(
                JSONObject([
                    ("paused", true), ("resume_at", "2026-11-23T08:00:00+01:00"),
                    ("active_window", "outside run_windows"),
                    ("phase", ""), ("timezone", "Europe/Berlin"),
                ])))
        XCTAssertEqual(
            document["schedule_windows"],
            .object(
                JSONObject([
                    ("timezone", "Europe/Berlin"), ("open", false), ("active_window", "outside run_windows"),
                    ("next_change_at", "2026-11-23T08:00:00+01:00"), ("resume_at", "2026-11-23T08:00:00+01:00"),
                ])))
    }

    func testWhileRoundsRunPeekSaysWhenTheNextPauseComes() throws {
        let fixture = try ObservationFixture(self, extra: schedule, zones: TestZones.Source())
        let monday = wall(TestZones.berlin, 2026, 11, 23, 9, 30)
        try fixture.writer.append(ScheduleResumed(pausedForS: 5400), at: monday)
        let document = try fixture.builder(now: monday).build(PeekOptions()).document
        XCTAssertEqual(document["schedule"], .null, "the newest schedule event is a resume")
        XCTAssertEqual(document["schedule_windows"]?["open"], true)
        XCTAssertEqual(document["schedule_windows"]?["next_change_at"], "2026-11-23T12:00:00+01:00", "the lunch pause")
        XCTAssertEqual(document["schedule_windows"]?["resume_at"], "")
    }

    func testWithoutAScheduleThereIsNoOutlook() throws {
        let document = try ObservationFixture(self).builder().build(PeekOptions()).document
        XCTAssertEqual(document["schedule_windows"], .null)
        XCTAssertEqual(document["brake"], "off", "not configured: no probe")
    }

    func testTheBrakeIsResolvedForThisHost() throws {
        let fixture = try ObservationFixture(self, extra: "[monitor.host_health.brake]\nmemory_high = true\n")
        let document = try fixture.builder().build(PeekOptions()).document
        let reader = MemoryReader()
        let expected: MemoryHighBrake.Status =
            switch reader.locateCgroup()?.version {
            case .v2?:
                reader.isMemoryHighWritable(CgroupMemoryFiles(reader.locateCgroup()!)) ? .armed : .inertUndelegated
            default: .inertNoCgroupV2
            }
        XCTAssertEqual(document["brake"], .string(expected.rawValue))
        let brake = document["defenses"]?.arrayValue?.first { $0["name"] == "memory_high_brake" }
        XCTAssertEqual(brake?["value"], .string(expected.rawValue))
    }

    func testTheMemoryDefensesAreListedWithTheirSettings() throws {
        let fixture = try ObservationFixture(
            self,
            extra: "[monitor.host_health.pressure]\ncritical_consecutive_samples = 4\nin_round_terminate = false\n")
        let defenses = try XCTUnwrap(fixture.builder().build(PeekOptions()).document["defenses"]?.arrayValue)
        let names = defenses.compactMap { $0["name"]?.stringValue }
        for name in [
            "pre_round_memory_gate", "mid_round_memory_floor", "mem_loop_breaker", "memory_high_brake",
            "schedule_windows",
        ] {
            XCTAssertTrue(names.contains(name), name)
        }
        let floor = defenses.first { $0["name"] == "mid_round_memory_floor" }
        XCTAssertEqual(floor?["value"], 4)
        XCTAssertEqual(floor?["current_state"], "off")
    }

    func testPeekShowsADeferredRoundAndTheRoundsLostToMemory() throws {
        let fixture = try ObservationFixture(self)
        let start = EventTimestamp.parse("2026-11-25T12:00:00.000Z")!
        try fixture.writer.append(
            RoundOomKilled(
                roundNum: 4, logPath: fixture.logDir + "/round-4.log", logBytes: 10, oomKills: 1, partialLog: true),
            at: start)
        try fixture.writer.append(
            RoundDeferred(severity: "critical", signal: "psi", message: "memory PSI full avg10 72.5 >= 60.0"),
            at: start.adding(seconds: 30))
        let document = try fixture.builder(now: start.adding(seconds: 90)).build(PeekOptions()).document
        XCTAssertEqual(
            document["memory"]?["deferred"],
            .object(
                JSONObject([
                    ("since", "2026-11-25T12:00:30.000Z"), ("severity", "critical"), ("signal", "psi"),
                    ("message", "memory PSI full avg10 72.5 >= 60.0"),
                ])))
        XCTAssertEqual(document["memory"]?["recent_losses"]?.arrayValue?.map { $0["event"] }, ["round_oom_killed"])
        let text = PeekText.render(document)
        XCTAssertTrue(
            text.contains("round deferred since 2026-11-25T12:00:30.000Z: memory PSI full avg10 72.5 >= 60.0"), text)
        XCTAssertTrue(text.contains("last loss round_oom_killed round 4"), text)

        try fixture.writer.append(RoundResumed(deferredForS: 60), at: start.adding(seconds: 90))
        let resumed = try fixture.builder(now: start.adding(seconds: 91)).build(PeekOptions()).document
        XCTAssertEqual(resumed["memory"]?["deferred"], .null)
    }

    /// fleetctl polls `peek --json --events N`: a memory deferral in the events keeps its
    /// supervisor_stale quiet while the pause lasts, as a schedule pause does.
    func testFleetctlSeesADeferralAsAPause() throws {
        let fixture = try ObservationFixture(self)
        let deferredAt = EventTimestamp.parse("2026-11-25T12:00:00.000Z")!
        try fixture.writer.append(
            RoundDeferred(severity: "critical", signal: "psi", message: "memory PSI full avg10 72.5 >= 60.0"),
            at: deferredAt)
        let later = deferredAt.adding(seconds: 4 * 3600)
        let peek = try fixture.builder(now: later).build(PeekOptions(events: 50)).document
        let observation = HostObservation(peek: peek, pollerNow: later)
        let stale = DetectorSuite.run(observation, policy: DetectorPolicy()).alerts.filter {
            $0.detector == "supervisor_stale"
        }
        XCTAssertEqual(stale, [], "4 h of silence while a round is deferred is not a dead supervisor")
        XCTAssertEqual(observation.events.map(\.kind), ["round_deferred"])
    }
}
