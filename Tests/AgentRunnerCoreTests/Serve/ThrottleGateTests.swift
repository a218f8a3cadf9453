import FleetCore
import Foundation
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// The throttle gate in the restart loop: a rate limit the transcript recorded makes serve wait
/// until the provider's reset plus jitter (from a seeded random source), on a fake clock.
final class ThrottleGateTests: XCTestCase {
    let wallStart: Int64 = 1_795_000_000

    func serve(
        _ project: ProjectFixture, _ agents: StandInAgents, clock: AlarmClock, random: any RandomSource,
        options: Supervisor.Options = .init()
    ) -> Int32 {
        addTeardownBlock { agents.killLeftovers() }
        let effects = Effects.standIn(clock: clock, agents: agents, random: random)
        return Supervisor(
            config: project.config, effects: effects, environment: project.environment,
            stderr: CapturedOutput(), stop: .isolated(), memory: ScriptedMemory(clock: clock.fake).source
        ).run(options)
    }

    /// The claude transcript of a round stopped by the five-hour limit, resetting at `reset`.
    func fiveHourLimit(resetAt reset: Int64) -> String {
        #"{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","rateLimitType":"five_hour","#
            + #""resetsAt":\#(reset)}}"#
            + "\n" + #"{"type":"result","is_error":true,"result":"Claude AI usage limit reached","duration_ms":40}"#
            + "\n"
    }

    let modelLimit =
        #"{"type":"result","is_error":true,"api_error_status":429,"result":"API Error: 429","duration_ms":50}"#
        + "\n"

    func testAnAccountLimitWaitsUntilTheResetPlusJitter() throws {
        let project = try ProjectFixture(self, runtime: ["max_rounds = 2"])
        let random = SeededRandom.fromEnvironment()
        // The default backoff_jitter_s (30) draws from 5...30.
        let jitter = SeededRandom(seed: random.seed).int(in: 5...30)
        let reset = wallStart + 3600
        let agents = StandInAgents([.exits(1, output: fiveHourLimit(resetAt: reset)), .exits(0)])
        let clock = AlarmClock()
        XCTAssertEqual(serve(project, agents, clock: clock, random: random), ExitCode.success, random.replayHint)

        XCTAssertEqual(try project.payloads(.transientErrorDetected).first?["reset_at_epoch"], .int(reset))
        // Round 1 fails (restart_delay_s × 2 = 2 s), then the gate sleeps to the reset plus jitter.
        let recovered = try XCTUnwrap(project.payloads(.transientErrorRecovered).first)
        XCTAssertEqual(recovered["throttled_for_s"], .int(3600 + jitter - 2), random.replayHint)
        XCTAssertEqual(recovered["classification"], "rate_limit_account")
        let secondStart = try XCTUnwrap(project.events().last { $0.kind == "round_start" }?.instant)
        XCTAssertEqual(
            secondStart.seconds, reset + jitter, "the next round starts at the reset plus jitter; \(random.replayHint)")
        XCTAssertEqual(try project.payloads(.transientErrorBackoffCapped), [], "the server's reset is honoured as is")
        XCTAssertEqual(try project.payloads(.crashLoop), [])
    }

    func testRepeatedModelLimitsEscalateAndSayTheyWereCapped() throws {
        let project = try ProjectFixture(self, runtime: ["max_rounds = 3", "backoff_jitter_s = 5"])
        let random = SeededRandom.fromEnvironment()
        let agents = StandInAgents([.exits(1, output: modelLimit), .exits(1, output: modelLimit), .exits(0)])
        let clock = AlarmClock()
        XCTAssertEqual(serve(project, agents, clock: clock, random: random), ExitCode.success, random.replayHint)

        // backoff_jitter_s = 5 pins the jitter to 5 s. A 429 resets 60 s after it was seen; serve
        // reaches the gate after its 2 s restart delay.
        let detected = try project.payloads(.transientErrorDetected)
        XCTAssertEqual(detected.count, 2)
        XCTAssertEqual(try project.payloads(.transientErrorRecovered).first?["throttled_for_s"], .int(60 + 5 - 2))
        // The second 429 without a successful round in between escalates: 60 × (2¹ − 1) s more.
        let capped = try XCTUnwrap(project.payloads(.transientErrorBackoffCapped).first)
        let secondReset = try XCTUnwrap(detected[1]["reset_at_epoch"]?.intValue)
        XCTAssertEqual(capped["original_reset_at_epoch"], .int(secondReset))
        XCTAssertEqual(capped["applied_reset_at_epoch"], .int(secondReset + 60))
        XCTAssertEqual(capped["requested_sleep_s"], .int(60 + 60 + 5 - 2))
        XCTAssertEqual(capped["consecutive_count"], 2)
        XCTAssertEqual(capped["capped_by_absolute_max"], false)
        let kinds = try project.kinds()
        let cappedAt = try XCTUnwrap(kinds.firstIndex(of: "transient_error_backoff_capped"))
        XCTAssertEqual(
            Array(kinds[cappedAt...].prefix(3)),
            ["transient_error_backoff_capped", "transient_error_recovered", "round_substrate_before"])
        XCTAssertEqual(Array(kinds.suffix(2)), ["max_rounds_reached", "serve_stopped"])
        XCTAssertEqual(clock.fake.elapsed, .seconds(2 + 63 + 2 + 123), "no delay after the last round")
    }

    func testTheStopActionEndsServeInsteadOfWaiting() throws {
        let project = try ProjectFixture(self, runtime: [#"transient_error_action = "stop""#])
        let clock = AlarmClock()
        let agents = StandInAgents([.exits(1, output: modelLimit)])
        XCTAssertEqual(serve(project, agents, clock: clock, random: UnusableRandom()), ExitCode.success)
        XCTAssertEqual(try project.payloads(.agentSelfTerminated), [["reason": "transient_error"]])
        XCTAssertEqual(try project.payloads(.serveStopped).first?["reason"], "agent_self_terminated")
        XCTAssertEqual(clock.fake.elapsed, .seconds(2), "only the restart delay")
    }

    func testAThrottleRecordedByAnEarlierServeIsWaitedOutFirst() throws {
        let project = try ProjectFixture(self, runtime: ["backoff_jitter_s = 5"])
        try FileManager.default.createDirectory(atPath: project.logDir, withIntermediateDirectories: true)
        let events = EventSink(logDir: project.logDir, clock: FakeClock().wallClock, stderr: CapturedOutput())
        let error = TransientError(classification: .rateLimitAccount, resetAtEpoch: wallStart + 100, raw: "")
        events.emit(TransientErrorDetected(error: error, agent: "claude", roundNum: 7, phase: nil))
        let clock = AlarmClock()
        let code = serve(
            project, StandInAgents([.exits(0)]), clock: clock, random: SeededRandom(seed: 1),
            options: .init(once: true))
        XCTAssertEqual(code, ExitCode.success)
        XCTAssertEqual(clock.fake.elapsed, .seconds(105), "reset 100 s away plus 5 s jitter, before the first round")
        XCTAssertEqual(
            Array(try project.kinds().prefix(4)),
            ["transient_error_detected", "serve_started", "host_cgroup_memory_limit", "transient_error_recovered"])
    }

    let overloaded =
        #"{"type":"result","is_error":true,"api_error_status":529,"result":"API Error: 529 Overloaded","#
        + #""duration_ms":50}"# + "\n"

    /// `serve --max-rounds 1` after a 529 exits with the round (it used to sleep the 5xx back-off
    /// first); the back-off is in the event log, and the next serve waits out what is left of it.
    func testABoundedRunEndsWithItsThrottledRoundAndTheNextServeWaitsOutTheRest() throws {
        let project = try ProjectFixture(self, runtime: ["backoff_jitter_s = 5"])
        let first = AlarmClock()
        let bounded = serve(
            project, StandInAgents([.exits(1, output: overloaded)]), clock: first, random: SeededRandom(seed: 1),
            options: .init(maxRoundsOverride: 1))
        XCTAssertEqual(bounded, ExitCode.success)
        XCTAssertEqual(first.fake.elapsed, .zero, "no back-off and no restart delay after the last round")
        XCTAssertEqual(
            Array(try project.kinds().suffix(4)),
            ["transient_error_detected", "round_substrate_after", "max_rounds_reached", "serve_stopped"])
        let detected = try XCTUnwrap(project.payloads(.transientErrorDetected).first)
        XCTAssertEqual(detected["classification"], "api_transient_5xx")
        XCTAssertEqual(detected["agent"], "claude")
        XCTAssertEqual(detected["reset_at_epoch"], .int(wallStart + 60))

        // 20 s later a new serve runs one round: first the 40 s left of the back-off, plus jitter.
        let second = AlarmClock(FakeClock(wall: UTCInstant(seconds: wallStart + 20)))
        let code = serve(
            project, StandInAgents([.exits(0)]), clock: second, random: SeededRandom(seed: 1),
            options: .init(once: true))
        XCTAssertEqual(code, ExitCode.success)
        XCTAssertEqual(second.fake.elapsed, .seconds(40 + 5))
        let recovered = try XCTUnwrap(project.payloads(.transientErrorRecovered).first)
        XCTAssertEqual(recovered["throttled_for_s"], .int(45))
        XCTAssertEqual(recovered["agent"], "claude")
        XCTAssertEqual(try project.payloads(.roundStart).count, 2)
    }

    /// Throttles are per agent: the `review` phase's gemini is rate limited, the `build` phase's
    /// claude runs its next round at once, and only gemini's next round waits for its reset. Each
    /// round's output is read by the classifier of the agent it ran (gemini's JSON here).
    func testAThrottledPhaseAgentHoldsOnlyItsOwnRounds() throws {
        let bin = NSTemporaryDirectory() + "agent-runner-unit-bin-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: bin) }
        _ = FileManager.default.createFile(
            atPath: bin + "/gemini", contents: Data("#!/bin/sh\n".utf8),
            attributes: [.posixPermissions: 0o755])
        let project = try ProjectFixture(
            self, runtime: ["max_rounds = 4", "backoff_jitter_s = 5"],
            extra: """
                [phases]
                list = ["build", "review"]
                [phases.review.agent]
                command = ["\(bin)/gemini", "-o", "stream-json"]
                """)
        let geminiLimit =
            #"{"type":"result","status":"error","error":{"type":"ApiError","message":"Resource has been "#
            + #"exhausted (e.g. check quota).","code":429},"stats":{"total_tokens":0,"duration_ms":40}}"# + "\n"
        let agents = StandInAgents([.exits(0), .exits(1, output: geminiLimit), .exits(0), .exits(0)])
        let clock = AlarmClock()
        XCTAssertEqual(serve(project, agents, clock: clock, random: SeededRandom(seed: 1)), ExitCode.success)

        let detected = try XCTUnwrap(project.payloads(.transientErrorDetected).first)
        XCTAssertEqual(detected["agent"], "gemini")
        XCTAssertEqual(detected["phase"], "review")
        XCTAssertEqual(detected["classification"], "rate_limit_model")
        // Round 2 (gemini) ended at 1 s; its reset is 60 s later. Round 3 (claude) starts after
        // the 2 s restart delay; round 4 (gemini) waits until the reset plus 5 s of jitter.
        let recovered = try XCTUnwrap(project.payloads(.transientErrorRecovered).first)
        XCTAssertEqual(recovered["agent"], "gemini")
        XCTAssertEqual(recovered["throttled_for_s"], .int(60 + 5 - 2 - 1))
        let kinds = try project.kinds().filter { $0 == "round_start" || $0.hasPrefix("transient_error") }
        XCTAssertEqual(
            kinds,
            [
                "round_start", "round_start", "transient_error_detected", "round_start", "transient_error_recovered",
                "round_start",
            ])
        XCTAssertEqual(clock.fake.elapsed, .seconds(1 + 2 + 1 + 62))
    }

    /// The seam for the schedule gate under `phase_policy = "skip"`: the phases whose agent is
    /// throttled now and when the first of them may run again.
    func testThrottledPhasesForTheScheduleGate() throws {
        let project = try ProjectFixture(
            self,
            extra: """
                [phases]
                list = ["build", "review", "polish"]
                [phases.review.agent]
                command = ["gemini"]
                [phases.polish.agent]
                command = ["kimi"]
                """)
        XCTAssertEqual(
            project.config.agentNamesByPhase, ["build": "claude", "review": "gemini", "polish": "kimi"])
        var throttles = AgentThrottles()
        let limit = TransientError(classification: .rateLimitAccount, resetAtEpoch: wallStart + 300, raw: "")
        throttles.record(agent: "gemini", transient: limit, succeeded: false)
        let clock = FakeClock()
        let triggers = StopTriggers(
            stop: .isolated(), stopFile: nil, sentinelPath: project.logDir + "/.agent-done",
            fileSystem: UnsyncedDisk(), clock: clock)
        let events = EventSink(logDir: project.logDir, clock: clock.wallClock, stderr: CapturedOutput())
        let gate = ThrottleGate(
            action: .backOff, jitterMaxS: 30, wallClock: clock.wallClock, clock: clock, random: UnusableRandom(),
            triggers: triggers, events: events)
        let throttled = gate.throttledPhases(throttles, agentOfPhase: project.config.agentNamesByPhase)
        XCTAssertEqual(throttled.phases, ["review"])
        XCTAssertEqual(throttled.wake, UTCInstant(seconds: wallStart + 300))
    }
}
