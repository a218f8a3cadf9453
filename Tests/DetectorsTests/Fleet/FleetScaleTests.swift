import FleetCore
import XCTest

@testable import Detectors

/// A whole fleet in process: 10,000 hosts, each parsed from a peek document, run through the
/// catalogue and an alert tracker, three polls in a row. Asserts correctness only; timing
/// belongs in a benchmark.
final class FleetScaleTests: XCTestCase {
    private typealias F = Fixtures
    private static let hostCount = 10_000

    /// The kinds of host in the fleet, by `index % 5`.
    private enum Kind: Int, CaseIterable {
        case healthy, diskFull, authFailing, throttled, legacy
    }

    /// Our peek for a host of `kind` at poll time `now` (seconds after t0); `sick` false gives the healthy variant.
    private func peek(kind: Kind, index: Int, now: Double, sick: Bool) -> JSONValue {
        let epoch0 = F.t0.seconds
        var events: [JSONValue] = []
        var rounds: [JSONValue] = []
        for round in 1...12 {
            let start = now - Double(13 - round) * 60
            events.append([
                "ts": .string(F.ts(start)), "event": "round_start", "round_num": .int(Int64(round)), "phase": nil,
            ])
            events.append([
                "ts": .string(F.ts(start + 1)), "event": "agent_exit", "round_num": .int(Int64(round)), "exit_code": 1,
                "duration_s": 0.4, "timed_out": false, "exit_cause": "error",
            ])
            events.append(["ts": .string(F.ts(start + 2)), "event": "round_end", "round_num": .int(Int64(round))])
            rounds.append([
                "round_num": .int(Int64(round)), "phase": nil, "started_at": .string(F.ts(start)),
                "ended_at": .string(F.ts(start + 2)),
                "exit_code": 1, "duration_s": 0.4, "timed_out": false, "exit_cause": "error",
                "auth_failure": .bool(sick && kind == .authFailing), "network_failure": false,
            ])
        }
        if sick && kind == .throttled {
            // One detection before the first poll, reset an hour later: the same throttle at every poll.
            events.append([
                "ts": .string(F.ts(9_995)), "event": "transient_error_detected", "classification": "rate_limit_account",
                "agent": "claude", "reset_at_epoch": .int(epoch0 + 13_600), "round_num": 12, "raw": "", "phase": "",
            ])
        }
        let disk: Double = sick && kind == .diskFull ? 97.5 : 40 + Double(index % 7)
        if kind == .legacy {
            return [
                "schema_version": "2.6", "project": .string("host\(index)"), "recent_rounds": [],
                "recent_events": .array(events),
                "system": ["mem_total_mb": 4096, "mem_available_mb": 3000, "disk_used_pct": .double(disk)],
                "defenses": [["name": "round_budget_s", "value": 1800]],
            ]
        }
        return [
            "schema_version": "3.0", "generated_at": .string(F.ts(now)), "project": .string("host\(index)"),
            "recent_events": .array(events), "recent_rounds": .array(rounds),
            "config": [
                "round_timeout_s": 1800, "phase_round_timeouts": [:], "supervisor_stale_threshold_s": nil,
                "auth_fail_hint": "login",
            ],
            "system": [
                "ts": .string(F.ts(now - 1)), "disk_used_pct": .double(disk), "inode_used_pct": 2.0,
                "mem_available_mb": 3000,
                "mem_free_mb": 1000, "psi_some_avg10": 0.0, "psi_full_avg10": 0.0, "swap_sout": 0,
            ],
        ]
    }

    private func expectedDetector(_ kind: Kind) -> String? {
        switch kind {
        case .healthy, .legacy: return nil
        case .diskFull: return "disk_critical"
        case .authFailing: return "oauth_fail"
        case .throttled: return "rate_limit_active"
        }
    }

    func testTenThousandHostsThreePolls() {
        var trackers = [AlertTracker](repeating: AlertTracker(), count: Self.hostCount)
        let policy = DetectorPolicy()
        let autoStop = AutoStopPolicy()
        var stops = 0
        var errors = 0
        // Poll 1 and 2: sick; poll 3: everyone healthy.
        for (pollIndex, sick) in [true, true, false].enumerated() {
            let now = 10_000 + Double(pollIndex) * 30
            var fired: [String: Int] = [:]
            var resolved: [String: Int] = [:]
            for index in 0..<Self.hostCount {
                let kind = Kind(rawValue: index % Kind.allCases.count)!
                let observation = HostObservation(
                    peek: peek(kind: kind, index: index, now: now, sick: sick), pollerNow: F.instant(now))
                let report = DetectorSuite.run(observation, policy: policy)
                errors += report.errors.count
                let transitions = trackers[index].record(.measured(report.alerts), at: observation.now)
                if AutoStopPlan(transitions: transitions, policy: autoStop).stopRequested { stops += 1 }
                for transition in transitions {
                    switch transition {
                    case .fired(let alert): fired[alert.detector, default: 0] += 1
                    case .resolved(let alert): resolved[alert.detector, default: 0] += 1
                    }
                }
                if pollIndex == 0 {
                    XCTAssertEqual(
                        report.alerts.map(\.detector), expectedDetector(kind).map { [$0] } ?? [],
                        "host \(index) (\(kind))")
                }
            }
            let perKind = Self.hostCount / Kind.allCases.count
            switch pollIndex {
            case 0:
                XCTAssertEqual(fired, ["disk_critical": perKind, "oauth_fail": perKind, "rate_limit_active": perKind])
                XCTAssertEqual(resolved, [:])
            case 1:
                XCTAssertEqual(fired, [:], "nothing re-notified")
                XCTAssertEqual(resolved, [:])
            default:
                XCTAssertEqual(fired, [:])
                XCTAssertEqual(
                    resolved, ["disk_critical": perKind, "oauth_fail": perKind, "rate_limit_active": perKind])
            }
        }
        XCTAssertEqual(errors, 0)
        XCTAssertEqual(stops, 2 * Self.hostCount / Kind.allCases.count, "disk_critical and oauth_fail hosts, once each")
        XCTAssertTrue(trackers.allSatisfy { $0.firing.isEmpty })
    }
}
