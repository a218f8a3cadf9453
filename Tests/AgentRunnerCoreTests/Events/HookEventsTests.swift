import FleetCore
import XCTest

@testable import AgentRunnerCore

final class HookEventsTests: XCTestCase {
    func testHookFailedHasOneShapeBeforeAndAfterTheRound() {
        let exited = HookRunner.Outcome(exit: .terminated(3), timedOut: false, outputTail: "boom")
        for (phase, kind) in [(HookFailed.Phase.preRound, "pre_round"), (.postRound, "post_round")] {
            assertPayload(
                HookFailed(hook: "lint", phase: phase, outcome: exited),
                equals: JSONObject([
                    ("hook_name", .string("lint")), ("hook_kind", .string(kind)),
                    ("error_type", .string(exited.exit.description)), ("error_message", .string("boom")),
                    ("traceback", ""),
                ]))
        }
        let timedOut = HookRunner.Outcome(exit: .signalled(9), timedOut: true, outputTail: "")
        XCTAssertEqual(HookFailed(hook: "lint", phase: .preRound, outcome: timedOut).payload["error_type"], "timeout")
    }

    func testServeStartupHookFailed() {
        let exited = HookRunner.Outcome(exit: .terminated(4), timedOut: false, outputTail: "seeding failed")
        assertPayload(
            ServeStartupHookFailed(hook: "sh", outcome: exited),
            equals: JSONObject([
                ("hook", .string("sh")), ("exit_code", .int(4)), ("exc_type", .string(exited.exit.description)),
                ("exc_msg", .string("seeding failed")), ("stderr_tail", .string("seeding failed")),
            ]))
        let killed = HookRunner.Outcome(exit: .signalled(15), timedOut: false, outputTail: "")
        XCTAssertEqual(ServeStartupHookFailed(hook: "sh", outcome: killed).payload["exit_code"], .null)
        let timedOut = HookRunner.Outcome(exit: .terminated(0), timedOut: true, outputTail: "")
        XCTAssertEqual(ServeStartupHookFailed(hook: "sh", outcome: timedOut).payload["exit_code"], .null)
        XCTAssertEqual(ServeStartupHookFailed(hook: "sh", outcome: timedOut).payload["exc_type"], "timeout")
    }

    func testPromptOverwritten() {
        assertPayload(
            PromptOverwritten(
                roundNum: 3, phase: nil, hook: "rewrite", promptPath: "/p/main.md",
                oldSHA256: "ab", newSHA256: nil),
            equals: JSONObject([
                ("round_num", .int(3)), ("phase", .null), ("hook", .string("rewrite")),
                ("prompt_path", .string("/p/main.md")),
                ("old_hash", .string("sha256:ab")), ("new_hash", .null),
            ]))
    }
}
