import FleetCore
import Foundation
import XCTest

@testable import Detectors

final class SupervisorStaleDetectorTests: XCTestCase {
    private typealias F = Fixtures

    private let lastEvent = Fixtures.event(1000, "round_end", ["round_num": 4])

    func testDerivedThresholdIsRoundTimeoutTimesOnePointFive() throws {
        let config = HostConfigFacts(roundTimeoutS: 600)
        XCTAssertEqual(
            F.alerts(SupervisorStaleDetector(), F.observation(now: 1900, events: [lastEvent], config: config)), [])
        let alert = try XCTUnwrap(
            F.alerts(SupervisorStaleDetector(), F.observation(now: 1900.5, events: [lastEvent], config: config)).first)
        XCTAssertEqual(
            alert.message,
            "No events for 900s (threshold 900s) — supervisor may be stuck or dead. Last event: 2026-11-25T12:16:40.000Z."
        )
        XCTAssertEqual(alert.context, ["age_s": 900, "threshold_s": 900, "last_ts": "2026-11-25T12:16:40.000Z"])
        XCTAssertEqual(alert.key, "supervisor_stale")
        // Without any config: the default 1800 s round → 2700 s.
        XCTAssertEqual(F.alerts(SupervisorStaleDetector(), F.observation(now: 3700, events: [lastEvent])), [])
        XCTAssertEqual(F.alerts(SupervisorStaleDetector(), F.observation(now: 3701, events: [lastEvent])).count, 1)
    }

    func testOverridesAndZeroDisables() {
        let hostSays = HostConfigFacts(roundTimeoutS: 600, supervisorStaleThresholdS: 100)
        XCTAssertEqual(
            F.alerts(SupervisorStaleDetector(), F.observation(now: 1100, events: [lastEvent], config: hostSays)), [])
        XCTAssertEqual(
            F.alerts(SupervisorStaleDetector(), F.observation(now: 1101, events: [lastEvent], config: hostSays)).count,
            1)
        // The inventory's value wins over the host's.
        let policy = F.settings { $0.supervisorStaleThresholdS = 5000 }
        XCTAssertEqual(
            F.alerts(
                SupervisorStaleDetector(), F.observation(now: 6000, events: [lastEvent], config: hostSays), policy), [])
        XCTAssertEqual(
            F.alerts(SupervisorStaleDetector(), F.observation(now: 6001, events: [lastEvent], config: hostSays), policy)
                .count, 1)
        let off = HostConfigFacts(supervisorStaleThresholdS: 0)
        XCTAssertEqual(
            F.alerts(SupervisorStaleDetector(), F.observation(now: 1e7, events: [lastEvent], config: off)), [])
        XCTAssertEqual(
            F.alerts(
                SupervisorStaleDetector(), F.observation(now: 1e7, events: [lastEvent]),
                F.settings { $0.supervisorStaleThresholdS = 0 }), [])
    }

    func testLatestEventAcrossTimestampShapes() throws {
        // The latest instant wins whatever the timestamp's shape; an impossible date is ignored.
        let offset = Event(ts: "2026-11-25T12:33:20+00:00", kind: "round_end", payload: [:], raw: "")
        let impossible = Event(ts: "2026-13-25T12:00:00.000Z", kind: "round_end", payload: [:], raw: "")
        let alert = try XCTUnwrap(
            F.alerts(SupervisorStaleDetector(), F.observation(now: 5000, events: [lastEvent, offset, impossible])).first
        )
        XCTAssertEqual(alert.context["last_ts"], "2026-11-25T12:33:20+00:00")
    }

    /// The detector's scan (kinds from the event index, the timestamp parser's fast path)
    /// finds the same event as a plain scan that tests kind strings (first of equal instants
    /// wins), on random mixes of canonical, offset, fraction-less, impossible and garbage timestamps,
    /// out of order, with ties and the monitor's own events.
    func testNewestActivityAgreesWithAForwardScanThatParsesEverything() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var events: [Event] = []
            for _ in 0..<Int.random(in: 0...30, using: &generator) {
                let seconds = Double(Int.random(in: 0...50, using: &generator))
                let ts: String
                switch Int.random(in: 0..<10, using: &generator) {
                case 0:
                    ts = EventTimestamp.format(F.instant(seconds - 7_200)).replacingOccurrences(of: "Z", with: "-02:00")
                case 1: ts = String(F.ts(seconds).prefix(19)) + "Z"
                case 2: ts = "2026-13-25T12:00:\(Int.random(in: 10...59, using: &generator)).000Z"
                case 3: ts = "9999-12-31T23:59:5x.000Z"
                case 4: ts = "garbage"
                default: ts = F.ts(seconds)
                }
                let kind = Int.random(in: 0..<6, using: &generator) == 0 ? "monitor_alert_emitted" : "round_end"
                events.append(Event(ts: ts, kind: kind, payload: [:], raw: ""))
            }
            let observation = F.observation(now: 100, events: events)
            var expected: (instant: UTCInstant, position: Int)?
            for (position, event) in events.enumerated() where !event.kind.hasPrefix("monitor_") {
                if let instant = EventTimestamp.parse(event.ts), expected.map({ instant > $0.instant }) ?? true {
                    expected = (instant, position)
                }
            }
            let found = SupervisorStaleDetector.newestActivity(observation)
            XCTAssertEqual(found?.instant, expected?.instant, "\(events.map(\.ts))")
            XCTAssertEqual(found?.position, expected?.position, "\(events.map(\.ts))")
        }
    }

    func testMonitorsOwnEventsDoNotCountAsLife() {
        let events = [
            lastEvent, F.event(3000, "monitor_alert_emitted", ["detector": "x"]),
            F.event(3001, "detector_error", ["detector": "y"]),
        ]
        let alert = F.alerts(SupervisorStaleDetector(), F.observation(now: 3701, events: events)).first
        XCTAssertEqual(alert?.context["last_ts"], .string(F.ts(1000)))
        XCTAssertEqual(
            F.alerts(SupervisorStaleDetector(), F.observation(now: 3701, events: [F.event(10, "monitor_started")])), [])
    }

    func testEmptyStreamNoAlert() {
        XCTAssertEqual(F.alerts(SupervisorStaleDetector(), F.observation(now: 1e9)), [])
    }

    func testPauseSuppressesUntilResumeAtPlusThreshold() {
        // Paused at 1000 until 20000 (aware ISO): suppressed through 20000 + 2700.
        let resumeAt = F.ts(20_000).replacingOccurrences(of: "Z", with: "+00:00")
        let pause = F.event(
            1000, "schedule_paused",
            ["active_window": "09:00-17:00", "resume_at": .string(resumeAt), "timezone": "UTC"])
        XCTAssertEqual(F.alerts(SupervisorStaleDetector(), F.observation(now: 22_700, events: [pause])), [])
        XCTAssertEqual(F.alerts(SupervisorStaleDetector(), F.observation(now: 22_701, events: [pause])).count, 1)
        // A resume after the pause ends the suppression.
        let resumed = [pause, F.event(1001, "schedule_resumed", ["paused_for_s": 1])]
        XCTAssertEqual(F.alerts(SupervisorStaleDetector(), F.observation(now: 5000, events: resumed)).count, 1)
    }

    func testPauseWithoutUsableResumeAtLastsEightDays() {
        let eightDays = 8.0 * 86_400
        for resumeAt: JSONValue in ["", "2026-11-25T20:00:00", 42] {
            let deferred = F.event(
                1000, "round_deferred",
                ["severity": "critical", "signal": "psi", "message": "m", "resume_at": resumeAt])
            XCTAssertEqual(
                F.alerts(SupervisorStaleDetector(), F.observation(now: 1000 + eightDays + 2700, events: [deferred])), []
            )
            XCTAssertEqual(
                F.alerts(SupervisorStaleDetector(), F.observation(now: 1000 + eightDays + 2701, events: [deferred]))
                    .count, 1)
        }
        // A resume_at a year away is cut to the same 8 days.
        let farAway = F.event(1000, "schedule_paused", ["resume_at": "2027-12-01T00:00:00Z"])
        XCTAssertEqual(
            F.alerts(SupervisorStaleDetector(), F.observation(now: 1000 + eightDays + 2701, events: [farAway])).count, 1
        )
    }

    func testFutureTimestampsAreNotStale() {
        XCTAssertEqual(
            F.alerts(
                SupervisorStaleDetector(),
                F.observation(now: 0, events: [F.event(99_999, "round_end", ["round_num": 1])])), [])
    }
}
