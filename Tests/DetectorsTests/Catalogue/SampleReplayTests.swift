import FleetCore
import Foundation
import XCTest

@testable import Detectors

/// Replays the real 0.3.14 event logs: wherever the original monitor started and emitted alerts,
/// the detectors must produce exactly the same alerts (kind, severity, message) from the events
/// before that moment.
final class SampleReplayTests: XCTestCase {
    private typealias F = Fixtures

    /// The fake agent's transcript lines per mode (`samples/fake-claude.sh`), for the host-side
    /// classification the original did on round log tails.
    private static let transcripts: [String: String] = [
        "auth": "Invalid API key · Please run /login (401 unauthorized)",
        "429":
            #"{"type":"result","is_error":true,"api_error_status":429,"result":"API Error: 429 rate_limit_error (Authorization: Bearer sk-ant-FAKEFAKEFAKE)","duration_ms":50}"#,
        "crash": "Error: something unknown broke",
        "fivehour": #"{"type":"result","is_error":true,"result":"Claude AI usage limit reached","duration_ms":40}"#,
        "ok": #"{"type":"result","is_error":false,"result":"done"}"#,
    ]

    /// Which fake mode each round of `events-scenarios.jsonl` ran in (samples/README.md).
    private static func scenarioMode(round: Int) -> String {
        switch round {
        case 3: return "429"
        case 5...9: return "crash"
        case 11: return "fivehour"
        case 12...21: return "auth"
        default: return "ok"
        }
    }

    /// Classifies each round's transcript with the default `auth_fail_patterns` regex, as a host does.
    private func authClassification(rounds: ClosedRange<Int>) throws -> [Int: RoundSummary.LogFailures] {
        let regex = try Regex(LogPatterns.authFailure).ignoresCase()
        var flags: [Int: RoundSummary.LogFailures] = [:]
        for round in rounds {
            let transcript = try XCTUnwrap(Self.transcripts[Self.scenarioMode(round: round)])
            if transcript.firstMatch(of: regex) != nil { flags[round] = .auth }
        }
        return flags
    }

    private struct Expected: Equatable, CustomStringConvertible {
        var detector: String
        var severity: String
        var message: String
        var description: String { "[\(severity)] \(detector) — \(message)" }
    }

    /// For each `monitor_started`, the alerts the monitor emitted right after it (its first poll
    /// reports every active alert), with the events that preceded it.
    private func monitorPolls(_ events: [Event]) -> [(before: [Event], at: UTCInstant, expected: [Expected])] {
        var polls: [(before: [Event], at: UTCInstant, expected: [Expected])] = []
        for (index, event) in events.enumerated() where event.kind == "monitor_started" {
            var expected: [Expected] = []
            var at = event.instant!
            for next in events[(index + 1)...] {
                guard next.kind.hasPrefix("monitor_"), next.kind != "monitor_started" else { break }
                if next.kind == "monitor_alert_emitted" {
                    at = next.instant!
                    expected.append(
                        Expected(
                            detector: next.payload["detector"]?.stringValue ?? "",
                            severity: next.payload["severity"]?.stringValue ?? "",
                            message: next.payload["message"]?.stringValue ?? ""
                        ))
                }
            }
            polls.append((Array(events[..<index]), at, expected))
        }
        return polls
    }

    private func replay(
        _ file: String, config: HostConfigFacts, logFailures: [Int: RoundSummary.LogFailures]
    ) throws -> Int {
        let events = try SampleFiles.events(file)
        let polls = monitorPolls(events)
        XCTAssertFalse(polls.isEmpty, "\(file) has monitor runs")
        for poll in polls {
            let observation = HostObservation(
                now: poll.at, clock: .host, events: poll.before,
                rounds: RoundSummary.derive(from: poll.before, logFailures: logFailures), config: config
            )
            let report = DetectorSuite.run(observation, policy: DetectorPolicy())
            XCTAssertEqual(report.errors, [])
            let produced = report.alerts.map {
                Expected(detector: $0.detector, severity: $0.severity.rawValue, message: $0.message)
            }
            XCTAssertEqual(
                produced.sorted { $0.detector < $1.detector }, poll.expected.sorted { $0.detector < $1.detector },
                "monitor poll at \(poll.at)")
        }
        return polls.count
    }

    func testScenariosReplayOAuthFailAndRateLimitAtTheMonitorsMoments() throws {
        let hint = "Run `claude /login` on the supervisor host or refresh ANTHROPIC_API_KEY."
        let polls = try replay(
            "events-scenarios.jsonl", config: HostConfigFacts(authFailHint: hint),
            logFailures: try authClassification(rounds: 1...21))
        XCTAssertEqual(polls, 3)
    }

    func testScenariosTwoReplayAnomalyRepetitive() throws {
        XCTAssertEqual(
            try replay("events-scenarios-2.jsonl", config: HostConfigFacts(roundTimeoutS: 6), logFailures: [:]), 1)
    }

    func testOAuthFailMatchesTheMonitorsJSONOutputExactly() throws {
        let events = try SampleFiles.events("events-scenarios.jsonl")
        let end21 = try XCTUnwrap(events.firstIndex { $0.kind == "round_end" && $0.payload["round_num"] == 21 })
        let before = Array(events[...end21])
        let monitorLines = try SampleFiles.bytes("monitor-alerts.jsonl").split(separator: UInt8(ascii: "\n"))
        let printed = try monitorLines.map { try JSONParser.strict.parse(Array($0)) }
        let observation = HostObservation(
            now: try XCTUnwrap(EventTimestamp.parse("2026-11-25T13:42:19.464Z")), clock: .host, events: before,
            rounds: RoundSummary.derive(from: before, logFailures: try authClassification(rounds: 1...21)),
            config: HostConfigFacts(
                authFailHint: "Run `claude /login` on the supervisor host or refresh ANTHROPIC_API_KEY.")
        )
        let alerts = DetectorSuite.run(observation, policy: DetectorPolicy()).alerts
        XCTAssertEqual(alerts.count, printed.count)
        for line in printed {
            let detector = try XCTUnwrap(line["detector"]?.stringValue)
            let alert = try XCTUnwrap(alerts.first { $0.detector == detector }, detector)
            XCTAssertEqual(alert.message, line["message"]?.stringValue)
            XCTAssertEqual(alert.severity.rawValue, line["severity"]?.stringValue)
            XCTAssertEqual(alert.context, line["context"]?.objectValue, detector)
            XCTAssertEqual(alert.requestsStop, line["auto_action"] == "stop_service")
        }
    }

    func testRateLimitIsQuietBetweenResetAndRecovery() throws {
        let events = try SampleFiles.events("events-scenarios.jsonl")
        let recovery = try XCTUnwrap(events.firstIndex { $0.kind == "transient_error_recovered" })
        let before = Array(events[..<recovery])
        // Reset at 13:40:25; serve only recovered at 13:41:00.
        for (now, firing) in [
            ("2026-11-25T13:40:24.900Z", true), ("2026-11-25T13:40:25.000Z", false),
            ("2026-11-25T13:40:59.000Z", false),
        ] {
            let observation = HostObservation(now: try XCTUnwrap(EventTimestamp.parse(now)), events: before)
            XCTAssertEqual(F.alerts(RateLimitActiveDetector(), observation).isEmpty, !firing, now)
        }
    }

    func testKilledRoundInEventsSampleIsHung() throws {
        let events = try SampleFiles.events("events-sample.jsonl")
        // Round 4 started 13:38:57.387 under agent_spawn timeout_s 1800 and was killed (no round_end).
        let start = try XCTUnwrap(EventTimestamp.parse("2026-11-25T13:38:57.387Z"))
        let justBefore = HostObservation(now: start.adding(seconds: 2700), events: events)
        XCTAssertEqual(DetectorSuite.run(justBefore, policy: DetectorPolicy()).alerts, [])
        let after = HostObservation(now: start.adding(seconds: 2701), events: events)
        let alerts = DetectorSuite.run(after, policy: DetectorPolicy()).alerts
        XCTAssertEqual(alerts.map(\.key), ["hung"])
        XCTAssertEqual(alerts.first?.message, "Round 4 started 2701s ago with no round_end")
    }
}
