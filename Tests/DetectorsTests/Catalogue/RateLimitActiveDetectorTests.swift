import FleetCore
import XCTest

@testable import Detectors

final class RateLimitActiveDetectorTests: XCTestCase {
    private typealias F = Fixtures
    private let epoch0 = Fixtures.t0.seconds

    private func detected(
        _ at: Double, agent: String = "claude", classification: String = "rate_limit_model", resetIn: Int64
    ) -> Event {
        F.event(
            at, "transient_error_detected",
            [
                "classification": .string(classification), "agent": .string(agent),
                "reset_at_epoch": .int(epoch0 + Int64(at) + resetIn), "round_num": 3, "raw": "429", "phase": "",
            ])
    }

    private func recovered(_ at: Double, agent: String = "claude") -> Event {
        F.event(
            at, "transient_error_recovered",
            ["classification": "rate_limit_model", "agent": .string(agent), "throttled_for_s": 80])
    }

    private func success(_ at: Double, agent: String = "claude") -> Event {
        F.event(at, "agent_usage_recorded", ["agent": .string(agent), "round_num": 2, "success": true])
    }

    func testFiresUntilTheResetAndNotAfter() throws {
        let events = [success(0), detected(100, resetIn: 60)]
        let alert = try XCTUnwrap(
            F.alerts(RateLimitActiveDetector(), F.observation(now: 159.999, events: events)).first)
        XCTAssertEqual(alert.message, "throttled until 2026-11-25T12:02:40+00:00 (rate_limit_model)")
        XCTAssertEqual(
            alert.context,
            [
                "throttled_until_iso": "2026-11-25T12:02:40+00:00", "classification": "rate_limit_model",
                "agent": "claude",
            ])
        XCTAssertEqual(alert.key, "rate_limit_active:agent=claude")
        XCTAssertEqual(
            F.alerts(RateLimitActiveDetector(), F.observation(now: 160, events: events)), [], "reset reached")
        XCTAssertEqual(F.alerts(RateLimitActiveDetector(), F.observation(now: 161, events: events)), [])
    }

    func testRecoveryClears() {
        let events = [detected(100, resetIn: 3600), recovered(200)]
        XCTAssertEqual(F.alerts(RateLimitActiveDetector(), F.observation(now: 300, events: events)), [])
    }

    func testLadderExtendsRepeatedEstimatedThrottles() {
        // Three detections since the last success: n = 2 → + 60 × (2² − 1) = 180 s on the raw reset.
        let events = [success(0), detected(10, resetIn: 60), detected(100, resetIn: 60), detected(200, resetIn: 60)]
        XCTAssertEqual(
            F.alerts(RateLimitActiveDetector(), F.observation(now: 439, events: events)).first?.context[
                "throttled_until_iso"],
            "2026-11-25T12:07:20+00:00")
        XCTAssertEqual(F.alerts(RateLimitActiveDetector(), F.observation(now: 440, events: events)), [])
        // A recovery does not reset the exponent, a successful round does.
        let afterSuccess = events + [success(300), detected(400, resetIn: 60)]
        XCTAssertEqual(F.alerts(RateLimitActiveDetector(), F.observation(now: 459, events: afterSuccess)).count, 1)
        XCTAssertEqual(F.alerts(RateLimitActiveDetector(), F.observation(now: 460, events: afterSuccess)), [])
        // The escalation is capped at 1800 s.
        let many = (0..<8).map { detected(Double($0), resetIn: 60) }
        XCTAssertEqual(F.alerts(RateLimitActiveDetector(), F.observation(now: 1866, events: many)).count, 1)
        XCTAssertEqual(F.alerts(RateLimitActiveDetector(), F.observation(now: 1867, events: many)), [])
    }

    func testAccountLimitUsesServerResetVerbatim() {
        let events = (0..<3).map { _ in detected(0, classification: "rate_limit_account", resetIn: 7200) }
        XCTAssertEqual(F.alerts(RateLimitActiveDetector(), F.observation(now: 7199.9, events: events)).count, 1)
        XCTAssertEqual(F.alerts(RateLimitActiveDetector(), F.observation(now: 7200, events: events)), [])
    }

    func testEachAgentIsJudgedOnItsOwnEvents() {
        // The original looked only at the newest transient event: gemini's recovery hid claude's throttle.
        let events = [
            detected(100, agent: "claude", resetIn: 3600), detected(110, agent: "gemini", resetIn: 60),
            recovered(200, agent: "gemini"),
        ]
        let alerts = F.alerts(RateLimitActiveDetector(), F.observation(now: 300, events: events))
        XCTAssertEqual(alerts.map { $0.context["agent"] }, ["claude"])
    }

    func testHostileResetsAreNoThrottle() {
        let epochNow = epoch0 + 100
        for reset: JSONValue in ["soon", -5, .double(.nan), .double(1e308), .int(epochNow + 400 * 86_400), .int(.max)] {
            let event = F.event(
                50, "transient_error_detected",
                ["classification": "rate_limit_account", "agent": "claude", "reset_at_epoch": reset])
            XCTAssertEqual(
                F.alerts(RateLimitActiveDetector(), F.observation(now: 100, events: [event])), [], "reset \(reset)")
        }
    }

    func testReportedThrottleFillsInAgentsWithoutEvents() {
        let reported = ReportedThrottle(agent: "claude", classification: "rate_limit_account", untilEpoch: epoch0 + 500)
        XCTAssertEqual(
            F.alerts(RateLimitActiveDetector(), F.observation(now: 499, reportedThrottle: reported)).count, 1)
        XCTAssertEqual(F.alerts(RateLimitActiveDetector(), F.observation(now: 500, reportedThrottle: reported)), [])
        // Events for that agent take precedence: a recovery in the tail wins over the host's report.
        XCTAssertEqual(
            F.alerts(
                RateLimitActiveDetector(), F.observation(now: 100, events: [recovered(50)], reportedThrottle: reported)),
            [])
    }
}
