import FleetCore
import XCTest

@testable import Detectors

final class RoundSummaryTests: XCTestCase {
    private typealias F = Fixtures

    func testDerivedFromEventsSample() throws {
        let rounds = RoundSummary.derive(from: try SampleFiles.events("events-sample.jsonl"))
        XCTAssertEqual(rounds.map(\.roundNum), [1, 2, 3, 4])
        XCTAssertEqual(rounds[0].startedAt, "2026-11-25T13:38:29.971Z")
        XCTAssertEqual(rounds[0].endedAt, "2026-11-25T13:38:30.197Z")
        XCTAssertEqual(rounds[0].exitCode, 0)
        XCTAssertEqual(rounds[0].exitCause, "clean")
        XCTAssertEqual(rounds[0].timedOut, false)
        XCTAssertEqual(rounds[0].durationS ?? 0, 0.2058, accuracy: 0.0001)
        // Round 4 was killed: started, never exited nor ended.
        XCTAssertFalse(rounds[3].hasExited)
        XCTAssertNil(rounds[3].endedAt)
        XCTAssertNotNil(rounds[3].startedAt)
    }

    func testDerivedFromScenariosTwoClassifiesTimeoutsGraceKillsAndNetwork() throws {
        let rounds = RoundSummary.derive(from: try SampleFiles.events("events-scenarios-2.jsonl"))
        XCTAssertEqual(rounds.map(\.roundNum), [2, 3, 4, 5, 6, 7], "round 1 failed its battery: no round_start")
        let byNumber = Dictionary(uniqueKeysWithValues: rounds.map { ($0.roundNum, $0) })
        XCTAssertEqual(byNumber[2]?.exitCause, "grace_kill")
        XCTAssertEqual(byNumber[2]?.timedOut, true)
        XCTAssertEqual(byNumber[2]?.isTimeout, false)
        XCTAssertEqual(byNumber[3]?.isTimeout, true)
        XCTAssertEqual(byNumber[4]?.isTimeout, true)
        XCTAssertEqual(byNumber[6]?.networkFailure, true)
        XCTAssertEqual(byNumber[6]?.isShortFailure(shortExitS: 60), true)
        XCTAssertEqual(rounds.filter(\.networkFailure).map(\.roundNum), [6])
        XCTAssertEqual(rounds.filter(\.authFailure), [])
    }

    func testAuthEventsLogFailuresAndOrphanEvents() {
        let events = [
            F.event(
                0, "agent_exit",
                ["round_num": 5, "exit_code": 1, "duration_s": 0.5, "timed_out": false, "exit_cause": "error"]),
            F.event(1, "round_end", ["round_num": 5]),
            F.event(2, "agent_auth_error_detected", ["round_num": 5, "agent": "pi", "raw": "401"]),
            F.event(10, "round_start", ["round_num": 6, "phase": "build"]),
            F.event(
                11, "agent_exit",
                ["round_num": 6, "exit_code": 1, "duration_s": 0.5, "timed_out": false, "exit_cause": "error"]),
        ]
        let rounds = RoundSummary.derive(from: events, logFailures: [6: [.auth, .network], 99: .auth])
        XCTAssertEqual(rounds.map(\.roundNum), [5, 6])
        XCTAssertNil(rounds[0].startedAt, "round 5's start is outside the tail")
        XCTAssertTrue(rounds[0].authFailure)
        XCTAssertFalse(rounds[0].networkFailure)
        XCTAssertEqual(rounds[1].phase, "build")
        XCTAssertTrue(rounds[1].authFailure)
        XCTAssertTrue(rounds[1].networkFailure)
    }

    func testRepeatedRoundNumberOpensANewRoundAndHostileFieldsAreAbsent() {
        let events = [
            F.event(0, "round_start", ["round_num": 1]),
            F.event(
                1, "agent_exit",
                ["round_num": 1, "exit_code": 0, "duration_s": 1, "timed_out": false, "exit_cause": "clean"]),
            F.event(5, "round_start", ["round_num": 1]),
            F.event(
                6, "agent_exit",
                ["round_num": 1, "exit_code": .double(.nan), "duration_s": -3, "timed_out": "yes", "exit_cause": 4]),
            F.event(7, "round_start", ["round_num": -2]),
            F.event(8, "round_start", ["round_num": .double(1e308)]),
            F.event(9, "round_start", ["round_num": "3"]),
        ]
        let rounds = RoundSummary.derive(from: events)
        XCTAssertEqual(rounds.count, 2)
        XCTAssertEqual(rounds[0].exitCode, 0)
        XCTAssertNil(rounds[1].exitCode)
        XCTAssertNil(rounds[1].durationS)
        XCTAssertNil(rounds[1].timedOut)
        XCTAssertNil(rounds[1].exitCause)
        XCTAssertFalse(rounds[1].hasExited)
    }
}
