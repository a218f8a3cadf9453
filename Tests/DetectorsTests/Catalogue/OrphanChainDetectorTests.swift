import FleetCore
import XCTest

@testable import Detectors

final class OrphanChainDetectorTests: XCTestCase {
    private typealias F = Fixtures

    /// Rounds `from...to`, each stashed (`orphan_stashed` then `round_end`) when `stashed` says so.
    private func rounds(_ range: ClosedRange<Int>, stashed: (Int) -> Bool = { _ in true }) -> [Event] {
        range.flatMap { n -> [Event] in
            let t = Double(n) * 100
            var events = [F.event(t, "round_start", ["round_num": .int(Int64(n))])]
            if stashed(n) {
                events.append(F.event(t + 1, "orphan_stashed", ["round_num": .int(Int64(n)), "ref": "abc"]))
            }
            events.append(F.event(t + 2, "round_end", ["round_num": .int(Int64(n))]))
            return events
        }
    }

    func testFiresAtStreakThreshold() throws {
        let alert = try XCTUnwrap(F.alerts(OrphanChainDetector(), F.observation(events: rounds(1...3))).first)
        XCTAssertEqual(alert.message, "3 consecutive rounds with orphan_stashed (>= 3)")
        XCTAssertEqual(alert.context, ["streak": 3, "threshold": 3, "last_round": 3])
        XCTAssertEqual(alert.key, "orphan_chain")
    }

    func testBelowThresholdAndReset() {
        XCTAssertEqual(F.alerts(OrphanChainDetector(), F.observation(events: rounds(1...2))), [])
        // A clean round 3 resets the streak: rounds 4–5 make only 2.
        let events = rounds(1...5) { $0 != 3 }
        XCTAssertEqual(F.alerts(OrphanChainDetector(), F.observation(events: events)), [])
        XCTAssertEqual(
            F.alerts(OrphanChainDetector(), F.observation(events: rounds(1...6) { $0 != 3 })).first?.context["streak"],
            3)
    }

    func testAboveThresholdAndPolicyStreak() {
        XCTAssertEqual(
            F.alerts(OrphanChainDetector(), F.observation(events: rounds(1...5))).first?.message,
            "5 consecutive rounds with orphan_stashed (>= 3)")
        XCTAssertEqual(
            F.alerts(OrphanChainDetector(), F.observation(events: rounds(1...4)), F.settings { $0.orphanStreak = 5 }),
            [])
        XCTAssertEqual(
            F.alerts(OrphanChainDetector(), F.observation(events: rounds(1...3)), F.settings { $0.orphanStreak = 0 }),
            [])
    }

    func testIdempotentSkipDoesNotCount() {
        var events = rounds(1...2)
        events.append(F.event(301, "orphan_idempotent_skip", ["round_num": 3]))
        events.append(F.event(302, "round_end", ["round_num": 3]))
        XCTAssertEqual(F.alerts(OrphanChainDetector(), F.observation(events: events)), [])
    }
}
