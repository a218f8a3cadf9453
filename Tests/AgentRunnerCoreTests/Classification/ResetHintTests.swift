import FleetCore
import XCTest

@testable import AgentRunnerCore

final class ResetHintTests: XCTestCase {
    /// 2026-12-02T23:21:40Z.
    let now = AgentOutputFixtures.now

    func epoch(_ text: String) -> Int64 {
        EventTimestamp.parse(text)!.seconds
    }

    func testDurations() {
        let cases: [(String, Int64)] = [
            ("Please try again in 20s. Visit https://platform.openai.com", 20),
            ("please retry after 20s", 20),
            ("please try again after 1 seconds", 1),
            ("Please retry in 37.480429957s.", 38),
            ("Please try again in 6m0s.", 360),
            ("Please try again in 1m30.5s", 91),
            ("Please try again in 120ms", 1),
            ("try again in 2 minutes", 120),
            ("Try again in 1h2m3s", 3723),
            ("retry-after: 20", 20),
            ("Retry-After: 20\r", 20),
        ]
        for (text, seconds) in cases {
            XCTAssertEqual(ResetHint.parse(text, now: now), .after(seconds), text)
        }
    }

    func testAmbiguousOrForeignTextGivesNoHint() {
        for text in [
            "please try again later", "try again in a moment", "try again in 5", "Retrying in 0.5 seconds...",
            "Retrying in 32.0 seconds...", "resets 12:18am", "resets soon (UTC)", "retry in 99999999 days",
            "The engine is currently overloaded, please try again later", "",
        ] {
            XCTAssertNil(ResetHint.parse(text, now: now), text)
        }
    }

    func testWallClockTimesInUTC() {
        XCTAssertEqual(
            ResetHint.parse("You've hit your 5-hour limit · resets 12:18am (UTC)", now: now),
            .at(epoch("2026-12-03T00:18:00Z")))
        XCTAssertEqual(
            ResetHint.parse("Weekly limit reached ∙ resets 3am (UTC)", now: now), .at(epoch("2026-12-03T03:00:00Z")))
        XCTAssertEqual(
            ResetHint.parse("You've hit your weekly limit · resets Dec 5, 6:52am (UTC)", now: now),
            .at(epoch("2026-12-05T06:52:00Z")))
        XCTAssertEqual(ResetHint.parse("resets at 11:30pm (UTC)", now: now), .at(epoch("2026-12-02T23:30:00Z")))
        XCTAssertEqual(ResetHint.parse("resets 18:30 (UTC)", now: now), .at(epoch("2026-12-03T18:30:00Z")))
        XCTAssertEqual(
            ResetHint.parse("resets Jan 2, 1am (UTC)", now: now), .at(epoch("2027-01-02T01:00:00Z")),
            "a date already past this year is next year's")
    }

    func testAWindowThatJustEndedIsNotTomorrows() {
        // At 23:21:40 "resets 11:18pm" is the window that just closed (claude rounds to the
        // minute): the default back-off applies, not a 24-hour sleep.
        XCTAssertNil(ResetHint.parse("resets 11:18pm (UTC)", now: now))
        XCTAssertEqual(ResetHint.parse("resets 10:18pm (UTC)", now: now), .at(epoch("2026-12-03T22:18:00Z")))
        XCTAssertNil(ResetHint.parse("resets 13:61 (UTC)", now: now))
        XCTAssertNil(ResetHint.parse("resets Feb 30, 1am (UTC)", now: now))
    }

    func testRateLimitFailuresUseTheHint() {
        XCTAssertEqual(ProviderFailure.rateLimit(message: "try again in 20s", now: now).resetAtEpoch, now + 20)
        XCTAssertEqual(
            ProviderFailure.rateLimit(message: "try again in 20s", now: now).kind, .transient(.rateLimitModel))
        XCTAssertEqual(
            ProviderFailure.rateLimit(message: "resets 3am (UTC)", now: now).kind, .transient(.rateLimitAccount))
        XCTAssertNil(ProviderFailure.rateLimit(message: "slow down", now: now).resetAtEpoch)
    }
}
