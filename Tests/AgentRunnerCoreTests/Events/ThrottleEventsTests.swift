import FleetCore
import XCTest

@testable import AgentRunnerCore

final class ThrottleEventsTests: XCTestCase {
    let error = TransientError(
        classification: .rateLimitAccount, resetAtEpoch: 1_800_000_000, raw: "5-hour limit reached")

    func testDetected() {
        assertPayload(
            TransientErrorDetected(error: error, agent: "claude", roundNum: 4, phase: nil),
            equals: JSONObject([
                ("classification", .string("rate_limit_account")), ("agent", .string("claude")),
                ("reset_at_epoch", .int(1_800_000_000)), ("round_num", .int(4)),
                ("raw", .string("5-hour limit reached")),
                ("phase", .string("")),
            ]))
        XCTAssertEqual(
            TransientErrorDetected(error: error, agent: "claude", roundNum: 4, phase: "converge").payload["phase"],
            "converge")
    }

    func testBackoffCappedAndRecovered() {
        let capped = BackoffPlan.Capped(
            requestedSleepS: 40000, appliedSleepS: 28800, originalResetEpoch: 1_800_000_000,
            consecutiveCount: 2, cappedByAbsoluteMax: true)
        assertPayload(
            TransientErrorBackoffCapped(
                classification: .rateLimitModel, agent: "claude", capped: capped,
                appliedResetEpoch: 1_800_000_060),
            equals: JSONObject([
                ("classification", .string("rate_limit_model")), ("agent", .string("claude")),
                ("requested_sleep_s", .int(40000)), ("applied_sleep_s", .int(28800)),
                ("original_reset_at_epoch", .int(1_800_000_000)), ("applied_reset_at_epoch", .int(1_800_000_060)),
                ("consecutive_count", .int(2)), ("capped_by_absolute_max", .bool(true)),
            ]))
        assertPayload(
            TransientErrorRecovered(classification: .apiTimeout, agent: "claude", throttledForS: 35),
            equals: JSONObject([
                ("classification", .string("api_timeout")), ("agent", .string("claude")),
                ("throttled_for_s", .int(35)),
            ]))
    }
}
