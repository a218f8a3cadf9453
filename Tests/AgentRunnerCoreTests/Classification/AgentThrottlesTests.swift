import FleetCore
import XCTest

@testable import AgentRunnerCore

final class AgentThrottlesTests: XCTestCase {
    let now: Int64 = 1_796_253_700

    func event(_ kind: String, _ payload: JSONObject, ts: String = "2026-12-02T23:00:00.000Z") -> Event {
        Event(ts: ts, kind: kind, payload: payload, raw: "")
    }

    func testOneAgentsBackOffDoesNotHoldAnother() {
        var throttles = AgentThrottles()
        let limit = TransientError(classification: .rateLimitModel, resetAtEpoch: now + 60, raw: "429")
        throttles.record(agent: "gemini", transient: limit, succeeded: false)
        XCTAssertEqual(throttles.gate(agent: "claude", now: now, jitterS: 5), .proceed)
        guard case .backOff(let error, let plan) = throttles.gate(agent: "gemini", now: now, jitterS: 5) else {
            return XCTFail("gemini must back off")
        }
        XCTAssertEqual(error, limit)
        XCTAssertEqual(plan.sleepS, 65)
        XCTAssertEqual(throttles.throttledAgents(now: now), ["gemini"])
        throttles.recovered(agent: "gemini")
        XCTAssertEqual(throttles.gate(agent: "gemini", now: now, jitterS: 5), .proceed)
    }

    func testEscalationIsPerAgentAndASuccessResetsIt() {
        var throttles = AgentThrottles()
        let limit = TransientError(classification: .apiTransient5xx, resetAtEpoch: now + 60, raw: "")
        throttles.record(agent: "aider", transient: limit, succeeded: false)
        throttles.recovered(agent: "aider")
        throttles.record(agent: "aider", transient: limit, succeeded: false)
        throttles.record(agent: "claude", transient: limit, succeeded: false)
        XCTAssertEqual(
            throttles.throttledUntil(agent: "aider", now: now), now + 120, "second detection: 60 + 60 × (2¹ − 1)")
        XCTAssertEqual(throttles.throttledUntil(agent: "claude", now: now), now + 60, "claude's first")
        throttles.record(agent: "aider", transient: nil, succeeded: true)
        throttles.record(agent: "aider", transient: limit, succeeded: false)
        XCTAssertEqual(throttles.throttledUntil(agent: "aider", now: now), now + 60)
        throttles.record(agent: "aider", transient: nil, succeeded: false)
        XCTAssertNotNil(throttles["aider"].active, "a failed round without a verdict changes nothing")
    }

    func testSeededFromTheEventLogPerAgent() {
        let events = [  // newest first
            event(
                "transient_error_detected",
                [
                    "classification": "rate_limit_account", "agent": "claude",
                    "reset_at_epoch": .int(now + 3600), "round_num": 9,
                ]),
            event("transient_error_recovered", ["classification": "network_error", "agent": "aider"]),
            event(
                "transient_error_detected",
                [
                    "classification": "network_error", "agent": "aider",
                    "reset_at_epoch": .int(now - 10),
                ]),
            event("agent_usage_recorded", ["agent": "gemini", "success": true]),
            event(
                "transient_error_detected",
                [
                    "classification": "api_timeout", "agent": "gemini",
                    "reset_at_epoch": .int(now + 30),
                ]),
        ]
        let throttles = AgentThrottles(newestFirst: events)
        XCTAssertEqual(throttles["claude"].active?.classification, .rateLimitAccount)
        XCTAssertNil(throttles["aider"].active, "recovered")
        XCTAssertEqual(throttles["aider"].detectionsSinceSuccess, 1)
        XCTAssertNil(throttles["gemini"].active, "gemini succeeded after its detection")
        XCTAssertEqual(throttles.throttledAgents(now: now), ["claude"])
    }

    /// serve's gate and peek's `throttled_agents` agree.
    func testThrottledAgentsMatchPeek() {
        var throttles = AgentThrottles()
        throttles.record(
            agent: "claude",
            transient: TransientError(
                classification: .rateLimitAccount,
                resetAtEpoch: now + 7200, raw: ""), succeeded: false)
        throttles.record(
            agent: "pi", transient: TransientError(classification: .apiTimeout, resetAtEpoch: now - 100, raw: ""),
            succeeded: false)
        throttles.record(
            agent: "kimi",
            transient: TransientError(
                classification: .networkError, resetAtEpoch: now + 30,
                raw: ""), succeeded: false)
        let perAgent = throttles.trackers.compactMap { agent, tracker in
            tracker.active.map {
                (
                    agent: agent,
                    state: ThrottleState(error: $0, priorDetections: tracker.priorDetections, roundNum: 1, phase: ""),
                    detectedTs: agent
                )
            }
        }
        XCTAssertEqual(RateLimitState.current(perAgent, now: now)?.throttledAgents, throttles.throttledAgents(now: now))
        XCTAssertEqual(throttles.throttledAgents(now: now), ["claude", "kimi"])
    }

    func testThrottledPhasesForTheSkipPolicy() {
        var throttles = AgentThrottles()
        throttles.record(
            agent: "gemini",
            transient: TransientError(
                classification: .rateLimitModel, resetAtEpoch: now + 90,
                raw: ""), succeeded: false)
        let phases = throttles.throttledPhases(["build": "claude", "review": "gemini", "docs": "gemini"], now: now)
        XCTAssertEqual(phases.phases, ["review", "docs"])
        XCTAssertEqual(phases.wakeEpoch, now + 90)
        XCTAssertEqual(throttles.throttledPhases(["build": "claude"], now: now).phases, [])
    }
}

final class RoundOutcomeClassificationTests: XCTestCase {
    func exit(_ code: Int32, durationS: Double = 4, timedOut: Bool = false) -> AgentExit {
        AgentExit(
            status: .terminated(code), durationS: durationS, timedOut: timedOut, graceKilled: false,
            graceExtended: false)
    }

    func testEveryPresetsRateLimitsAndServerErrorsRideTheBackOff() throws {
        for name in [
            "aider-error-429-bounded.log", "aider-error-503.log", "claude-error-529.log", "gemini-rate-limit.log",
            "codewhale-5xx.log", "kimi-rate-limit.log", "pi-rate-limit.log", "pi-5xx.log",
            "claude-connection-refused.log", "aider-connection-refused.log",
        ] {
            var policy = RestartPolicy(restartDelayS: 1)
            for exitCode: Int32 in [0, 1, 1, 1, 1, 1] {
                let analysis = try AgentOutputFixtures.analyze(name, exitCode: exitCode)
                let outcome = RoundOutcome(exit: exit(exitCode), analysis: analysis)
                XCTAssertTrue(outcome.throttled, name)
                guard case .restart = policy.record(outcome) else { return XCTFail("\(name) tripped crash_loop") }
            }
            XCTAssertEqual(policy.consecutiveCrashes, 0, name)
        }
    }

    func testAnAuthFailureAiderExitsZeroOnStillTripsTheBreaker() throws {
        let analysis = try AgentOutputFixtures.analyze("aider-error-401.log", exitCode: 0)
        var policy = RestartPolicy(restartDelayS: 1)
        var verdicts: [RestartVerdict] = []
        for _ in 0..<5 { verdicts.append(policy.record(RoundOutcome(exit: exit(0), analysis: analysis))) }
        XCTAssertEqual(
            verdicts,
            [
                .restart(afterS: 2), .restart(afterS: 4), .restart(afterS: 8), .restart(afterS: 16),
                .crashLoop(consecutive: 5, exitCode: 0),
            ])
    }

    func testACleanRoundAndASupervisorKillAreNoCrash() throws {
        var policy = RestartPolicy(restartDelayS: 1)
        let clean = try AgentOutputFixtures.analyze("aider-edit.log", exitCode: 0)
        XCTAssertEqual(policy.record(RoundOutcome(exit: exit(0), analysis: clean)), .restart(afterS: 1))
        let killed = try AgentOutputFixtures.analyze("claude-bash-sleep-killed.log", exitCode: -15)
        let outcome = RoundOutcome(exit: exit(-15, timedOut: true), analysis: killed)
        XCTAssertTrue(outcome.killedBySupervisor)
        XCTAssertFalse(outcome.throttled)
        _ = policy.record(outcome)
        XCTAssertEqual(policy.consecutiveCrashes, 0)
    }
}
