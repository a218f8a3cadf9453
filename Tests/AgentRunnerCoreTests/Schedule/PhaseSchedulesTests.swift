import FleetCore
import XCTest

@testable import AgentRunnerCore

/// Serve's gate between rounds: the global schedule, `phase_policy = "skip"`, per-phase schedules.
final class PhaseSchedulesTests: XCTestCase {
    let berlin = TestZones.berlin
    /// Monday 2026-06-01, 20:00 in Berlin.
    lazy var evening = wall(berlin, 2026, 6, 1, 20, 0)

    func testPhaseAwareness() {
        let open = schedule()
        XCTAssertFalse(PhaseSchedules(global: open).isPhaseAware)
        XCTAssertFalse(PhaseSchedules(global: open, phases: ["a", "b"], policy: .wait).isPhaseAware)
        XCTAssertTrue(PhaseSchedules(global: open, phases: ["a", "b"], policy: .skip).isPhaseAware)
        XCTAssertTrue(
            PhaseSchedules(
                global: open, phases: ["a", "b"], policy: .wait, perPhase: ["b": schedule(run: ["09:00-10:00"])]
            ).isPhaseAware)
        XCTAssertFalse(PhaseSchedules(global: open, phases: [], policy: .skip).isPhaseAware)
    }

    func testCandidatesFollowTheRotation() {
        let skip = PhaseSchedules(global: schedule(), phases: ["plan", "build", "review"], policy: .skip)
        XCTAssertEqual(skip.candidates(round: 1), ["plan", "build", "review"])
        XCTAssertEqual(skip.candidates(round: 5), ["build", "review", "plan"])
        let wait = PhaseSchedules(global: schedule(), phases: ["plan", "build", "review"], policy: .wait)
        XCTAssertEqual(wait.candidates(round: 6), ["review"])
        XCTAssertEqual(PhaseSchedules(global: schedule()).candidates(round: 3), [nil])
    }

    func testGlobalScheduleGatesWhenNotPhaseAware() throws {
        let office = PhaseSchedules(global: schedule(run: ["Mon-Fri 09:00-17:00"]), phases: ["a", "b"], policy: .wait)
        guard case .pause(let pause) = office.gate(round: 1, at: evening) else { return XCTFail("closed at 20:00") }
        XCTAssertNil(pause.phase)
        XCTAssertEqual(pause.resumeAtText, "2026-06-02T09:00:00+02:00")
        XCTAssertEqual(Array(pause.pausedPayload.map(\.key)), ["active_window", "resume_at", "timezone"])
        XCTAssertEqual(
            office.gate(round: 1, at: wall(berlin, 2026, 6, 1, 10, 0)), .launch(phase: nil, skipped: nil),
            "the round child picks its own phase")
        XCTAssertEqual(office.gate(round: 1, at: evening, ignoreSchedule: true), .launch(phase: nil, skipped: nil))
        XCTAssertEqual(
            PhaseSchedules(global: schedule()).gate(round: 1, at: evening), .launch(phase: nil, skipped: nil))
    }

    func testSkipStepsOverClosedPhases() {
        let schedules = PhaseSchedules(
            global: schedule(), phases: ["day", "night", "any"], policy: .skip,
            perPhase: ["day": schedule(run: ["09:00-17:00"]), "night": schedule(run: ["22:00-06:00"])])
        let gate = schedules.gate(round: 1, at: evening)
        XCTAssertEqual(
            gate,
            .launch(
                phase: "any",
                skipped: PhaseSkip(
                    roundNumber: 1, skipped: ["day", "night"], chosen: "any", activeWindow: "outside run_windows")))
        if case .launch(_, let skip?) = gate {
            XCTAssertEqual(
                JSONWriter().string(.object(skip.payload)),
                #"{"round_num": 1, "skipped": ["day", "night"], "chosen": "any", "active_window": "outside run_windows"}"#
            )
        }
        XCTAssertEqual(
            schedules.gate(round: 1, at: wall(berlin, 2026, 6, 1, 10, 0)), .launch(phase: "day", skipped: nil))
        XCTAssertEqual(
            schedules.gate(round: 2, at: wall(berlin, 2026, 6, 1, 23, 0)), .launch(phase: "night", skipped: nil))
    }

    func testSkipStepsOverThrottledPhases() {
        let schedules = PhaseSchedules(global: schedule(), phases: ["claude", "gemini"], policy: .skip)
        XCTAssertEqual(
            schedules.gate(round: 1, at: evening, throttledPhases: ["claude"]),
            .launch(
                phase: "gemini",
                skipped: PhaseSkip(roundNumber: 1, skipped: ["claude"], chosen: "gemini", activeWindow: "")))
    }

    func testAllClosedPausesForTheEarliestOpening() throws {
        let newYork = TestZones.newYork
        let schedules = PhaseSchedules(
            global: schedule(), phases: ["day", "late"], policy: .skip,
            perPhase: [
                "day": schedule(run: ["09:00-17:00"]),
                // 18:00-19:00 New York is 00:00-01:00 in Berlin, before Berlin's 09:00.
                "late": schedule(newYork, timezone: "America/New_York", run: ["18:00-19:00"]),
            ])
        let now = wall(berlin, 2026, 6, 1, 20, 0)  // 14:00 in New York
        guard case .pause(let pause) = schedules.gate(round: 1, at: now) else {
            return XCTFail("both phases are closed")
        }
        XCTAssertEqual(pause.phase, "late")
        XCTAssertEqual(pause.timezone, "America/New_York")
        XCTAssertEqual(pause.resumeAtText, "2026-06-01T18:00:00-04:00")
        XCTAssertEqual(pause.activeWindow, "outside run_windows")
        XCTAssertEqual(
            JSONWriter().string(.object(pause.pausedPayload)),
            #"{"active_window": "outside run_windows", "resume_at": "2026-06-01T18:00:00-04:00", "timezone": "America/New_York", "phase": "late"}"#
        )
        XCTAssertEqual(pause.wakeAt(after: now), utc(2026, 6, 1, 22, 0))
        XCTAssertTrue(pause.hasEnded(at: utc(2026, 6, 1, 22, 0)))
        XCTAssertEqual(
            schedules.gate(round: 1, at: utc(2026, 6, 1, 22, 30)),
            .launch(
                phase: "late",
                skipped: PhaseSkip(
                    roundNumber: 1, skipped: ["day"], chosen: "late", activeWindow: "outside run_windows")))
    }

    func testWaitPolicyWaitsForTheRoundsOwnPhase() throws {
        let schedules = PhaseSchedules(
            global: schedule(pause: ["12:00-13:00"]), phases: ["build", "review"], policy: .wait,
            perPhase: ["review": schedule(run: ["Mon-Fri 09:00-17:00"])])
        // Round 2 is review's; build (with the global schedule) is open but not a candidate.
        guard case .pause(let pause) = schedules.gate(round: 2, at: evening) else {
            return XCTFail("review is closed at 20:00")
        }
        XCTAssertEqual(pause.phase, "review")
        XCTAssertEqual(pause.resumeAtText, "2026-06-02T09:00:00+02:00")
        XCTAssertEqual(schedules.gate(round: 3, at: evening), .launch(phase: "build", skipped: nil))
        guard case .pause(let lunch) = schedules.gate(round: 1, at: wall(berlin, 2026, 6, 1, 12, 30)) else {
            return XCTFail("global lunch pause")
        }
        XCTAssertEqual(lunch.activeWindow, "12:00-13:00")
        XCTAssertEqual(lunch.phase, "build")
    }

    func testEveryPhaseThrottledWakesAtTheReset() throws {
        let schedules = PhaseSchedules(global: schedule(), phases: ["claude", "gemini"], policy: .skip)
        let reset = evening.adding(seconds: 900)
        guard
            case .pause(let pause) = schedules.gate(
                round: 1, at: evening, throttledPhases: ["claude", "gemini"], throttleWake: reset)
        else {
            return XCTFail("nothing can run")
        }
        XCTAssertEqual(pause.resumeAtText, "")
        XCTAssertEqual(pause.activeWindow, "")
        XCTAssertEqual(pause.wakeAt(after: evening), reset)
        XCTAssertFalse(pause.hasEnded(at: reset.adding(seconds: -1)))
        XCTAssertTrue(pause.hasEnded(at: reset))
    }

    func testNothingOpensWithinEightDaysKeepsThePhaseZone() throws {
        let schedules = PhaseSchedules(
            global: schedule(), phases: ["never"], policy: .skip,
            perPhase: ["never": schedule(TestZones.newYork, timezone: "America/New_York", pause: ["00:00-24:00"])])
        guard case .pause(let pause) = schedules.gate(round: 1, at: evening) else { return XCTFail("closed for good") }
        XCTAssertEqual(pause.resumeAtText, "")
        XCTAssertNil(pause.phase)
        XCTAssertEqual(pause.timezone, "America/New_York")
        XCTAssertEqual(pause.activeWindow, "00:00-24:00")
        XCTAssertNil(pause.wakeAt(after: evening))
    }
}
