import FleetCore
import XCTest

@testable import Detectors

final class HungDetectorTests: XCTestCase {
    private typealias F = Fixtures

    /// Round 7 started at t=1000 under a 600 s budget from agent_spawn: threshold 900 s.
    private func observation(
        now: Double, extra: [Event] = [], config: HostConfigFacts = HostConfigFacts()
    ) -> HostObservation {
        let events =
            [
                F.event(1000, "round_start", ["round_num": 7, "phase": "build"]),
                F.event(1000.1, "agent_spawn", ["round_num": 7, "timeout_s": 600]),
            ] + extra
        return F.observation(now: now, events: events, config: config)
    }

    func testFiresJustAboveFactorTimesBudget() throws {
        let alert = try XCTUnwrap(F.alerts(HungDetector(), observation(now: 1900.5)).first)
        XCTAssertEqual(alert.message, "Round 7 started 900s ago with no round_end")
        XCTAssertEqual(alert.key, "hung")
        XCTAssertEqual(alert.context, ["round_num": 7, "elapsed_s": 900.5, "threshold_s": 900.0])
    }

    func testSilentAtAndBelowThreshold() {
        XCTAssertEqual(F.alerts(HungDetector(), observation(now: 1900)), [], "exactly 1.5 × budget is not yet hung")
        XCTAssertEqual(F.alerts(HungDetector(), observation(now: 1500)), [])
    }

    func testEndedRoundIsNotHung() {
        let ended = observation(now: 9000, extra: [F.event(1400, "round_end", ["round_num": 7])])
        XCTAssertEqual(F.alerts(HungDetector(), ended), [])
    }

    func testOnlyTheHighestRoundIsJudged() {
        // Round 3 was orphaned by a kill (no round_end); round 7 ended. Nothing is hung.
        let events = [
            F.event(0, "round_start", ["round_num": 3]),
            F.event(1000, "round_start", ["round_num": 7]),
            F.event(1200, "round_end", ["round_num": 7]),
        ]
        XCTAssertEqual(F.alerts(HungDetector(), F.observation(now: 50_000, events: events)), [])
    }

    func testBudgetFallsBackToPhaseOverrideThenBase() {
        let config = HostConfigFacts(roundTimeoutS: 1000, phaseRoundTimeoutsS: ["build": 100])
        let events = [F.event(1000, "round_start", ["round_num": 7, "phase": "build"])]
        XCTAssertEqual(F.alerts(HungDetector(), F.observation(now: 1150, events: events, config: config)), [])
        XCTAssertEqual(
            F.alerts(HungDetector(), F.observation(now: 1151, events: events, config: config)).first?.context[
                "threshold_s"], 150.0)
        let otherPhase = [F.event(1000, "round_start", ["round_num": 7, "phase": "review"])]
        XCTAssertEqual(F.alerts(HungDetector(), F.observation(now: 2500, events: otherPhase, config: config)), [])
        XCTAssertEqual(
            F.alerts(HungDetector(), F.observation(now: 2501, events: otherPhase, config: config)).first?.context[
                "threshold_s"], 1500.0)
        // Nothing known: the tool's default 1800 s → 2700 s.
        XCTAssertEqual(F.alerts(HungDetector(), F.observation(now: 3700, events: otherPhase)), [])
        XCTAssertEqual(F.alerts(HungDetector(), F.observation(now: 3701, events: otherPhase)).count, 1)
    }

    func testHungFactorFromPolicy() {
        XCTAssertEqual(F.alerts(HungDetector(), observation(now: 2200), F.settings { $0.hungFactor = 2 }), [])
        XCTAssertEqual(F.alerts(HungDetector(), observation(now: 2201), F.settings { $0.hungFactor = 2 }).count, 1)
    }

    func testHostileSpawnTimeoutAndStartAreNoData() {
        let hostile = [
            F.event(1000, "round_start", ["round_num": 7]),
            F.event(1000.1, "agent_spawn", ["round_num": 7, "timeout_s": -5]),
        ]
        // A negative spawn timeout is ignored: the default budget applies (threshold 2700 s).
        XCTAssertEqual(F.alerts(HungDetector(), F.observation(now: 3000, events: hostile)), [])
        let badStart = [Event(ts: "yesterday", kind: "round_start", payload: ["round_num": 9], raw: "")]
        XCTAssertEqual(F.alerts(HungDetector(), F.observation(now: 1e9, events: badStart)), [])
        XCTAssertEqual(F.alerts(HungDetector(), observation(now: 1e9), F.settings { $0.hungFactor = .nan }), [])
    }
}
