import FleetCore
import Foundation
import Synchronization
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// The watch's kill decisions on a fake clock: a stand-in agent (a real process) is watched in
/// 200 ms ticks of fake time, so a 20 s round takes milliseconds and its schedule is exact.
final class AgentWatchTests: XCTestCase {
    let result = #"{"type":"result","is_error":false,"result":"done"}"#

    /// Events the watch recorded.
    final class Recorded: Sendable {
        let events = Mutex<[any TypedEvent]>([])
        var payloads: [(kind: EventKind, payload: JSONObject)] {
            events.withLock { $0.map { ($0.eventKind, $0.payload) } }
        }
    }

    func watch(
        _ standIn: StandInAgents.StandIn, timeoutS: Int = 60, graceS: Int = 5, ignore: [String] = [],
        progressS: Int = 0, clock: FakeClock, recorded: Recorded = Recorded()
    ) throws -> AgentExit {
        let log = NSTemporaryDirectory() + "agent-watch-" + UUID().uuidString + ".log"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: log) }
        let agents = StandInAgents([standIn])
        addTeardownBlock { agents.killLeftovers() }
        let request = ProcessRequest(
            "agent", standardOutput: .appendToFile(log),
            standardError: .mergeIntoStandardOutput)
        let process = try agents.spawn(request)
        let watch = AgentWatch(
            process: process, logPath: log, timeoutS: timeoutS, killGrace: .seconds(10),
            terminalMarker: Array(#""type":"result""#.utf8), maxGraceAfterResultS: graceS, ignorePatterns: ignore,
            progressIntervalS: progressS, clock: clock, wallClock: clock.wallClock,
            emit: { event in recorded.events.withLock { $0.append(event) } }, round: 7)
        return watch.run()
    }

    func ticks(_ count: Int) -> [Duration] {
        Array(repeating: AgentWatch.tick, count: count)
    }

    func testTheHardWallKillsAtTheFirstTickPastTheTimeout() throws {
        let clock = FakeClock()
        let exit = try watch(.runs(output: "working"), timeoutS: 3, clock: clock)
        XCTAssertEqual(exit.status, .signalled(SIGTERM))
        XCTAssertEqual(exit.durationS, 3.2)
        XCTAssertTrue(exit.timedOut)
        XCTAssertFalse(exit.graceKilled)
        XCTAssertEqual(exit.exitCause, "timeout")
        XCTAssertFalse(exit.signalDeath, "the supervisor's own kill is not a signal death")
        XCTAssertEqual(clock.sleeps, ticks(16))
    }

    func testAResultWithNoWorkerLeftIsGraceKilledAfterTheWindow() throws {
        let clock = FakeClock()
        let recorded = Recorded()
        let exit = try watch(.runs(output: result), graceS: 5, clock: clock, recorded: recorded)
        // Scanned at 1 s (once a second), so the window runs from 1 s; killed at the first tick past 6 s.
        XCTAssertEqual(exit.durationS, 6.2)
        XCTAssertTrue(exit.graceKilled)
        XCTAssertTrue(exit.timedOut)
        XCTAssertEqual(exit.exitCause, "grace_kill")
        XCTAssertTrue(recorded.payloads.isEmpty)
    }

    func testLiveWorkersExtendTheGraceOnceAndTheHardWallEndsTheRound() throws {
        let clock = FakeClock()
        let recorded = Recorded()
        let exit = try watch(
            .runs(output: result, withChild: true), timeoutS: 20, graceS: 5, clock: clock,
            recorded: recorded)
        XCTAssertEqual(exit.durationS, 20.2)
        XCTAssertEqual(exit.exitCause, "timeout")
        XCTAssertTrue(exit.graceExtended)
        XCTAssertEqual(recorded.payloads.map(\.kind), [.roundGraceExtended])
        let extended = try XCTUnwrap(recorded.payloads.first?.payload)
        XCTAssertEqual(extended["round_num"], 7)
        XCTAssertEqual(extended["grace_s"], 5)
        XCTAssertEqual(extended["live_children"]?.arrayValue?.first?["name"], "sleep")
        XCTAssertEqual(extended["ignored_children"], .array([]))
    }

    func testAnIgnoredHelperDoesNotHoldTheRoundOpen() throws {
        let clock = FakeClock()
        let recorded = Recorded()
        let exit = try watch(
            .runs(output: result, withChild: true), graceS: 5, ignore: ["^sleep 1000$"], clock: clock,
            recorded: recorded)
        XCTAssertEqual(exit.exitCause, "grace_kill")
        XCTAssertEqual(exit.durationS, 6.2)
        XCTAssertTrue(recorded.payloads.isEmpty)
    }

    func testProgressIsReportedEveryIntervalWhileTheAgentRuns() throws {
        let clock = FakeClock()
        let recorded = Recorded()
        _ = try watch(.runs(output: "working"), timeoutS: 5, progressS: 2, clock: clock, recorded: recorded)
        XCTAssertEqual(recorded.payloads.map(\.kind), [.roundProgress, .roundProgress])
        XCTAssertEqual(recorded.payloads.map { $0.payload["wall_age_s"] }, [2, 4])
        XCTAssertEqual(recorded.payloads.first?.payload["log_size_kb"], 0)
    }

    func testAnExitIsClassifiedAtTheFirstLook() throws {
        let cases: [(StandInAgents.StandIn, ExitStatus, String, Bool)] = [
            (.exits(0), .terminated(0), "clean", true),
            (.exits(3), .terminated(3), "error", false),
            (.exits(137), .terminated(137), "signal:SIGKILL", false),
            (.script("kill -TERM $$"), .signalled(SIGTERM), "signal:SIGTERM", false),
        ]
        for (standIn, status, cause, ok) in cases {
            let clock = FakeClock()
            let exit = try watch(standIn, clock: clock)
            XCTAssertEqual(exit.status, status)
            XCTAssertEqual(exit.exitCause, cause)
            XCTAssertEqual(exit.ok, ok, cause)
            XCTAssertEqual(exit.durationS, 0)
            XCTAssertFalse(exit.timedOut)
            XCTAssertEqual(clock.sleeps, [], "the exit ends the watch before any tick")
        }
        XCTAssertTrue(try watch(.script("kill -TERM $$"), clock: FakeClock()).signalDeath)
        XCTAssertEqual(try watch(.script("kill -TERM $$"), clock: FakeClock()).exitCode, -SIGTERM)
    }
}
