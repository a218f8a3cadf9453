import FleetCore
import XCTest

@testable import Detectors

final class PeekParsingTests: XCTestCase {
    private typealias F = Fixtures
    private let pollerNow = EventTimestamp.parse("2026-11-25T13:42:30.000Z")!

    // MARK: The original 0.3.14 documents (schema 2.6)

    func testPeekAfterTwoRounds() throws {
        let observation = HostObservation(peek: try SampleFiles.json("peek.json"), pollerNow: pollerNow)
        XCTAssertEqual(observation.now, pollerNow)
        XCTAssertEqual(observation.clock, .poller)
        XCTAssertEqual(observation.project, "demo")
        XCTAssertEqual(observation.events, [])
        XCTAssertEqual(observation.rounds, [])
        XCTAssertEqual(observation.system.count, 1)
        let sample = try XCTUnwrap(observation.latestSample)
        XCTAssertEqual(sample.diskUsedPct, 15.8)
        XCTAssertEqual(sample.memAvailableMB, 23750)
        XCTAssertNil(sample.ts)
        XCTAssertFalse(sample.hasPressureFields)
        XCTAssertEqual(observation.config.roundTimeoutS, 1800, "from defenses[round_budget_s]")
        XCTAssertNil(observation.reportedThrottle)
        XCTAssertEqual(DetectorSuite.run(observation, policy: DetectorPolicy()), DetectorReport())
    }

    func testFreshPeekHasNoSystemSample() throws {
        let observation = HostObservation(peek: try SampleFiles.json("peek-fresh.json"), pollerNow: pollerNow)
        XCTAssertEqual(observation.system, [], "all-zero system block means no metrics yet, not a 0% disk")
        XCTAssertEqual(DetectorSuite.run(observation, policy: DetectorPolicy()), DetectorReport())
    }

    func testThrottledPeekReportsTheHostsThrottle() throws {
        let observation = HostObservation(peek: try SampleFiles.json("peek-throttled.json"), pollerNow: pollerNow)
        XCTAssertEqual(observation.events.count, 5)
        XCTAssertEqual(observation.events.first?.kind, "monitor_alert_emitted")
        XCTAssertEqual(observation.events.first?.payload["detector"], "rate_limit_active")
        XCTAssertEqual(
            observation.events.first?.ts, "2026-11-25T13:42:19.466Z", "ts and event become the event's own fields")
        XCTAssertEqual(
            observation.reportedThrottle,
            ReportedThrottle(agent: "claude", classification: "rate_limit_account", untilEpoch: 1_795_621_322))
        let alerts = DetectorSuite.run(observation, policy: DetectorPolicy()).alerts
        // The host's own monitor recorded oauth_fail and stopped serve; no round succeeded since.
        XCTAssertEqual(
            alerts.map(\.message),
            [
                "10/10 recent rounds failed auth (agent-reported or short-exit pattern) "
                    + "(reported by the host's monitor at 2026-11-25T13:42:24.479Z)",
                "throttled until 2026-11-25T15:42:02+00:00 (rate_limit_account)",
            ])
    }

    func testRoundLatestPeekWithEvents() throws {
        let observation = HostObservation(
            peek: try SampleFiles.json("peek-round-latest-log-events3.json"), pollerNow: pollerNow)
        XCTAssertEqual(
            observation.events.map(\.kind), ["agent_usage_recorded", "round_substrate_after", "max_rounds_reached"])
        XCTAssertEqual(observation.rounds, [], "none of these events describes a round's start, exit or end")
    }

    // MARK: Our agent-runner's document

    private func ourPeek() -> JSONValue {
        [
            "schema_version": "3.0",
            "generated_at": "2026-11-25T14:00:00.000Z",
            "agent_runner_version": "1.0.0",
            "project": "demo",
            "recent_events": [
                ["ts": "2026-11-25T13:59:00.000Z", "event": "round_start", "round_num": 8, "phase": "build"]
            ],
            "recent_rounds": [
                [
                    "round_num": 7, "phase": "build", "started_at": "2026-11-25T13:50:00.000Z",
                    "ended_at": "2026-11-25T13:50:01.000Z",
                    "exit_code": 1, "duration_s": 0.8, "timed_out": false, "exit_cause": "error", "auth_failure": true,
                    "network_failure": false,
                ],
                [
                    "round_num": 8, "phase": "build", "started_at": "2026-11-25T13:59:00.000Z", "ended_at": nil,
                    "exit_code": nil, "duration_s": nil, "timed_out": nil, "exit_cause": nil, "auth_failure": false,
                    "network_failure": false,
                ],
            ],
            "config": [
                "round_timeout_s": 1200, "phase_round_timeouts": ["build": 600, "review": 300],
                "supervisor_stale_threshold_s": nil, "auth_fail_hint": "run claude /login",
            ],
            "system": [
                "ts": "2026-11-25T13:59:50.000Z", "disk_used_pct": 42.5, "inode_used_pct": 3.1, "mem_available_mb": 900,
                "mem_free_mb": 300, "psi_some_avg10": nil, "psi_full_avg10": nil, "swap_sout": 1024,
            ],
            "system_history": [
                ["ts": "2026-11-25T13:30:00.000Z", "disk_used_pct": 41.5, "swap_sout": 0],
                ["ts": "2026-11-25T13:59:40.000Z", "disk_used_pct": 42.4, "swap_sout": 512],
            ],
            "service": ["rate_limit": nil],
        ]
    }

    func testOurPeekContract() throws {
        let observation = HostObservation(peek: ourPeek(), pollerNow: pollerNow)
        XCTAssertEqual(observation.now, EventTimestamp.parse("2026-11-25T14:00:00.000Z"))
        XCTAssertEqual(observation.clock, .host)
        XCTAssertEqual(observation.rounds.count, 2, "shipped rounds are used, not re-derived from the one event")
        XCTAssertEqual(
            observation.rounds[0],
            RoundSummary(
                roundNum: 7, phase: "build", startedAt: "2026-11-25T13:50:00.000Z", endedAt: "2026-11-25T13:50:01.000Z",
                exitCode: 1,
                durationS: 0.8, timedOut: false, exitCause: "error", authFailure: true, networkFailure: false
            ))
        XCTAssertFalse(observation.rounds[1].hasExited)
        XCTAssertNil(observation.rounds[1].endedAt)
        XCTAssertEqual(
            observation.config,
            HostConfigFacts(
                roundTimeoutS: 1200, phaseRoundTimeoutsS: ["build": 600, "review": 300], supervisorStaleThresholdS: nil,
                authFailHint: "run claude /login"
            ))
        XCTAssertEqual(
            observation.system.map(\.ts),
            ["2026-11-25T13:30:00.000Z", "2026-11-25T13:59:40.000Z", "2026-11-25T13:59:50.000Z"])
        XCTAssertEqual(observation.latestSample?.memFreeMB, 300)
        XCTAssertEqual(observation.previousSample?.swapSoutBytes, 512)
        XCTAssertNil(observation.latestSample?.psiFullAvg10)
        XCTAssertNil(observation.reportedThrottle)
        XCTAssertEqual(DetectorSuite.run(observation, policy: DetectorPolicy()), DetectorReport())
    }

    func testOurPeekFeedsHungWithThePhaseBudget() {
        guard case .object(var document) = ourPeek() else { return XCTFail("object expected") }
        document["generated_at"] = "2026-11-25T14:14:00.001Z"  // round 8 (phase build, 600 s) started 900.001 s ago
        let observation = HostObservation(peek: .object(document), pollerNow: pollerNow)
        let keys = DetectorSuite.run(observation, policy: DetectorPolicy()).alerts.map(\.key)
        XCTAssertEqual(keys, ["hung"])
    }

    // MARK: Hostile documents

    func testHostileValuesReadAsAbsentData() throws {
        let text = """
            {"generated_at": 5, "project": ["x"],
             "recent_events": [1, {}, {"ts": 1, "event": "round_end"}, {"ts": "2026-11-25T13:00:00Z", "event": 7},
                               {"ts": "2026-11-25T13:00:00Z", "event": "transient_error_detected", "agent": "claude",
                                "classification": "rate_limit_account", "reset_at_epoch": 1e308}],
             "recent_rounds": [{"round_num": -1}, {"round_num": "3"}, {"round_num": 1e308}, {"round_num": 2.5},
                               {"round_num": 2, "exit_code": NaN, "duration_s": -5, "timed_out": "yes", "started_at": 9,
                                "auth_failure": "true", "network_failure": 1}],
             "system": {"ts": 7, "disk_used_pct": NaN, "inode_used_pct": 1e308, "mem_free_mb": -5, "mem_available_mb": Infinity,
                        "psi_some_avg10": "x", "psi_full_avg10": -Infinity, "swap_sout": -1},
             "system_history": "nope",
             "config": {"round_timeout_s": -1, "phase_round_timeouts": {"a": 1e308, "b": "x", "c": 60, "d": 0},
                        "supervisor_stale_threshold_s": -5, "auth_fail_hint": 3},
             "service": {"rate_limit": {"throttled_until_epoch": NaN, "agent": "claude"}}}
            """
        let observation = HostObservation(peek: try JSONParser.strict.parse(text), pollerNow: pollerNow)
        XCTAssertEqual(observation.now, pollerNow)
        XCTAssertNil(observation.project)
        XCTAssertEqual(observation.events.map(\.kind), ["transient_error_detected"])
        XCTAssertEqual(observation.rounds, [RoundSummary(roundNum: 2)])
        XCTAssertEqual(observation.system, [SystemSample()])
        XCTAssertEqual(observation.config, HostConfigFacts(phaseRoundTimeoutsS: ["c": 60]))
        XCTAssertNil(observation.reportedThrottle)
        XCTAssertEqual(DetectorSuite.run(observation, policy: DetectorPolicy()), DetectorReport())
    }

    func testHugeValuesAndNegativeTimesNeverTrap() throws {
        let text = """
            {"generated_at": "9999-12-31T23:59:59.999Z",
             "recent_events": [{"ts": "0001-01-01T00:00:00Z", "event": "round_start", "round_num": 2147483647},
                               {"ts": "0001-01-01T00:00:00Z", "event": "agent_spawn", "round_num": 2147483647, "timeout_s": 1e308},
                               {"ts": "0001-01-01T00:00:00Z", "event": "anomaly_repetitive_tool", "round_num": 2147483647,
                                "tool_name": "\(String(repeating: "x", count: 5000))", "target": null, "count": -1, "window": 1e308},
                               {"ts": "0001-01-01T00:00:00Z", "event": "schedule_paused", "resume_at": "9999-12-31T00:00:00Z"},
                               {"ts": "0001-01-01T00:00:00Z", "event": "transient_error_detected", "reset_at_epoch": 9223372036854775807}],
             "system": {"ts": "0001-01-01T00:00:00Z", "disk_used_pct": 100, "inode_used_pct": 100, "swap_sout": 9e18},
             "system_history": [{"ts": "9999-12-31T23:59:59Z", "disk_used_pct": 0}],
             "config": {"round_timeout_s": 31622400, "supervisor_stale_threshold_s": 31622400}}
            """
        let observation = HostObservation(peek: try JSONParser.strict.parse(text), pollerNow: pollerNow)
        let report = DetectorSuite.run(observation, policy: DetectorPolicy())
        XCTAssertEqual(report.errors, [])
        // Full disk and an open round from year 1 do fire; every message stays short.
        let kinds = Set(report.alerts.map(\.detector))
        XCTAssertTrue(
            kinds.isSuperset(of: ["disk_critical", "hung", "anomaly_repetitive_active", "supervisor_stale"]), "\(kinds)"
        )
        for alert in report.alerts { XCTAssertLessThan(alert.message.count, 600, alert.detector) }
    }

    func testDeepNestingIsRejectedByTheParser() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertThrowsError(try JSONParser.strict.parse("{\"recent_events\": \(deep)}")) { error in
            XCTAssertTrue("\(error)".contains("nesting"), "\(error)")
        }
    }

    func testNonObjectDocumentIsAnEmptyObservation() {
        for document: JSONValue in [.null, "peek", [1, 2], 3] {
            let observation = HostObservation(peek: document, pollerNow: pollerNow)
            XCTAssertEqual(observation.now, pollerNow)
            XCTAssertEqual(observation.events, [])
            XCTAssertEqual(observation.system, [])
        }
    }

    func testCollectionsAreBounded() {
        let events: [JSONValue] = (0..<5000).map {
            .object(["ts": .string(F.ts(Double($0))), "event": "round_progress", "round_num": 1])
        }
        let observation = HostObservation(peek: ["recent_events": .array(events)], pollerNow: pollerNow)
        XCTAssertEqual(observation.events.count, HostObservation.maxEvents)
        XCTAssertEqual(observation.events.last?.ts, F.ts(4999), "the newest events are kept")
    }
}
