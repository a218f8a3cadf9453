import XCTest

@testable import AgentRunnerCore

final class RestartPolicyTests: XCTestCase {
    func testCrashLoopAfterFiveShortCrashesWithEscalatingDelay() {
        var policy = RestartPolicy(restartDelayS: 1)
        let crash = RoundOutcome(exitCode: 3, durationS: 0.1)
        XCTAssertEqual(policy.record(crash), .restart(afterS: 2))
        XCTAssertEqual(policy.record(crash), .restart(afterS: 4))
        XCTAssertEqual(policy.record(crash), .restart(afterS: 8))
        XCTAssertEqual(policy.record(crash), .restart(afterS: 16))
        XCTAssertEqual(policy.record(crash), .crashLoop(consecutive: 5, exitCode: 3))
    }

    func testExplainedFailuresResetTheStreak() {
        var policy = RestartPolicy(restartDelayS: 3)
        XCTAssertEqual(policy.record(RoundOutcome(exitCode: 1, durationS: 5)), .restart(afterS: 6))
        XCTAssertEqual(policy.consecutiveCrashes, 1)
        XCTAssertEqual(policy.record(RoundOutcome(exitCode: 1, durationS: 5, throttled: true)), .restart(afterS: 6))
        XCTAssertEqual(policy.consecutiveCrashes, 0, "a throttled failure is not a crash")
        _ = policy.record(RoundOutcome(exitCode: 1, durationS: 5))
        XCTAssertEqual(
            policy.record(RoundOutcome(exitCode: 1, durationS: 120)), .restart(afterS: 6),
            "a long round is not a short crash")
        XCTAssertEqual(policy.consecutiveCrashes, 0)
        _ = policy.record(RoundOutcome(exitCode: 1, durationS: 5))
        XCTAssertEqual(
            policy.record(RoundOutcome(exitCode: -15, durationS: 5, killedBySupervisor: true)), .restart(afterS: 6))
        XCTAssertEqual(policy.consecutiveCrashes, 0)
        XCTAssertEqual(policy.record(RoundOutcome(exitCode: 0, durationS: 1)), .restart(afterS: 3))
    }

    func testDelayIsCapped() {
        var policy = RestartPolicy(restartDelayS: 1000)
        XCTAssertEqual(policy.record(RoundOutcome(exitCode: 2, durationS: 1)), .restart(afterS: 1800))
    }
}

final class BackoffPlannerTests: XCTestCase {
    let now: Int64 = 1_000_000

    func testAccountLimitHonoursServerReset() {
        let error = TransientError(classification: .rateLimitAccount, resetAtEpoch: now + 7200, raw: "")
        let plan = BackoffPlanner.plan(for: error, priorDetections: 3, now: now, jitterS: 10)
        XCTAssertEqual(plan.appliedResetEpoch, now + 7200)
        XCTAssertEqual(plan.sleepS, 7210)
        XCTAssertNil(plan.capped)
    }

    func testEstimatedClassesEscalateFromTheDetectedReset() {
        let detected = now - 20  // detected 20 s before serve reaches the gate
        let error = TransientError(classification: .rateLimitModel, resetAtEpoch: detected + 60, raw: "")
        XCTAssertEqual(BackoffPlanner.plan(for: error, priorDetections: 0, now: now, jitterS: 5).sleepS, 45)
        let second = BackoffPlanner.plan(for: error, priorDetections: 1, now: now, jitterS: 5)
        XCTAssertEqual(second.appliedResetEpoch, detected + 60 + 60)
        XCTAssertEqual(second.capped?.consecutiveCount, 2)
        let many = BackoffPlanner.plan(for: error, priorDetections: 9, now: now, jitterS: 5)
        XCTAssertEqual(many.appliedResetEpoch, detected + 60 + 1800)
        XCTAssertEqual(many.capped?.cappedByAbsoluteMax, true)
    }

    func testMalformedResetNeverSleepsForever() {
        let far = TransientError(classification: .rateLimitAccount, resetAtEpoch: now + 30 * 86_400, raw: "")
        let plan = BackoffPlanner.plan(for: far, priorDetections: 0, now: now, jitterS: 5)
        XCTAssertEqual(plan.sleepS, BackoffPlanner.sleepCapS)
        XCTAssertNotNil(plan.capped)
        let absurd = TransientError(classification: .rateLimitAccount, resetAtEpoch: Int64.max / 2, raw: "")
        XCTAssertEqual(BackoffPlanner.plan(for: absurd, priorDetections: 0, now: now, jitterS: 5).sleepS, 5)
    }
}

final class PromptAssemblerTests: XCTestCase {
    func testConcatFrontmatterAndMissingIncludes() throws {
        let files = ["/p/a.md": "---\ntitle: x\n---\n\nHello", "/p/b.md": "World"]
        let assembler = PromptAssembler(separator: "\n---\n", stripYAMLFrontmatter: true)
        let result = try assembler.body(files: ["/p/a.md", "/p/missing.md", "/p/b.md"]) {
            files[$0].map { Array($0.utf8) }
        }
        XCTAssertEqual(result.text, "Hello\n---\nWorld")
        XCTAssertEqual(result.skipped, ["/p/missing.md"])
        XCTAssertThrowsError(try assembler.body(files: ["/p/missing.md"]) { files[$0].map { Array($0.utf8) } })
        let withContext = PromptAssembler.prependContext(["round_num": 3], to: "Body")
        XCTAssertEqual(withContext, "```json round-context\n{\n  \"round_num\": 3\n}\n```\n\nBody")
    }
}
