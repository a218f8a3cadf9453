import Detectors
import FleetCore
import XCTest

@testable import Monitoring

/// Every detector of the catalogue: a condition that lasts while its moving parts move (the
/// clock, round numbers, streaks, percentages, reset times, the repeated tool) is one episode,
/// notified once within `alert_repeat_s`. An alert key holding a counter (`orphan_chain`'s
/// `last_round=N` was one) resolved and re-fired the alert at every poll.
final class PersistentConditionTests: XCTestCase {
    /// 2026-11-25T12:00:00Z.
    static let t0 = UTCInstant(seconds: 1_795_608_000)
    static let pollS = 60.0
    static let polls = 50

    static func instant(_ seconds: Double) -> UTCInstant {
        UTCInstant(seconds: t0.seconds + Int64(seconds))
    }

    static func ts(_ seconds: Double) -> String {
        EventTimestamp.format(instant(seconds))
    }

    static func event(_ seconds: Double, _ kind: String, _ payload: JSONObject = [:]) -> Event {
        var payload = payload
        payload["ts"] = .string(ts(seconds))
        payload["event"] = .string(kind)
        return Event(ts: ts(seconds), kind: kind, payload: payload, raw: "")
    }

    static func observation(
        at seconds: Double, events: [Event] = [], rounds: [RoundSummary]? = nil, system: [SystemSample] = [],
        config: HostConfigFacts = HostConfigFacts()
    ) -> HostObservation {
        HostObservation(
            now: instant(seconds), clock: .host, project: "demo", events: events, rounds: rounds, system: system,
            config: config)
    }

    /// Finished rounds 1...count, one a minute, built by `make(number, start)`.
    static func rounds(_ count: Int, _ make: (Int, Double) -> RoundSummary) -> [RoundSummary] {
        (1...count).map { make($0, Double($0) * pollS - 55) }
    }

    /// `orphan_chain`'s rounds: each stashed; only the newest `window` events ship, as with
    /// `peek --events 200`, so the streak soon outgrows what one poll shows.
    static func stashedRounds(_ count: Int, window: Int = 60) -> [Event] {
        let events = (1...count).flatMap { number -> [Event] in
            let start = Double(number) * pollS - 55
            let round: JSONValue = .int(Int64(number))
            return [
                event(start, "round_start", ["round_num": round]),
                event(start + 40, "orphan_stashed", ["round_num": round, "ref": "abc"]),
                event(start + 41, "round_end", ["round_num": round]),
            ]
        }
        return Array(events.suffix(window))
    }

    /// Poll `i` (0-based) of a condition that holds at every poll, by detector name.
    static let scenarios: [String: @Sendable (Int) -> HostObservation] = [
        "timeout_rate": { i in
            observation(
                at: Double(i + 11) * pollS,
                rounds: rounds(10 + i) { n, start in
                    RoundSummary(
                        roundNum: n, startedAt: ts(start), endedAt: ts(start + 50), exitCode: -9, durationS: 50,
                        timedOut: true, exitCause: "timeout")
                })
        },
        "hung": { i in
            observation(
                at: 1000 + Double(i) * pollS, rounds: [RoundSummary(roundNum: 7, startedAt: ts(0))],
                config: HostConfigFacts(roundTimeoutS: 600))
        },
        "orphan_chain": { i in observation(at: Double(i + 4) * pollS, events: stashedRounds(3 + i)) },
        "disk_warning": { i in
            observation(
                at: Double(i) * pollS,
                system: [SystemSample(ts: ts(Double(i) * pollS), diskUsedPct: 90 + 0.1 * Double(i))])
        },
        "disk_critical": { i in
            observation(
                at: Double(i) * pollS,
                system: [SystemSample(ts: ts(Double(i) * pollS), diskUsedPct: 95 + 0.1 * Double(i))])
        },
        "disk_growth": { i in
            // 0.2 % a minute (12 %/h) for the last 40 minutes and on.
            let samples = (0...(40 + i)).map { k in
                SystemSample(ts: ts(Double(k) * pollS), diskUsedPct: 10 + 0.2 * Double(k))
            }
            return observation(at: Double(40 + i) * pollS, system: samples)
        },
        "mem_pressure": { i in
            let now = Double(i) * pollS
            return observation(
                at: now,
                system: [
                    SystemSample(
                        ts: ts(now), memAvailableMB: 100, psiSomeAvg10: 6 + 0.5 * Double(i % 20), psiFullAvg10: 0)
                ])
        },
        "mem_signal_unavailable": { i in
            let now = Double(i) * pollS
            return observation(
                at: now, system: [SystemSample(ts: ts(now), memAvailableMB: 800 + Double(i), swapSoutBytes: 5_000_000)])
        },
        "mem_pressure_gate_inert": { i in
            let now = Double(i) * pollS
            return observation(
                at: now,
                system: [
                    SystemSample(
                        ts: ts(now), memAvailableMB: 5000 - Double(i), memFreeMB: 4000, psiSomeAvg10: 70,
                        psiFullAvg10: 60 + 0.5 * Double(i % 20))
                ])
        },
        "oauth_fail": { i in
            observation(
                at: Double(i + 11) * pollS,
                rounds: rounds(10 + i) { n, start in
                    RoundSummary(
                        roundNum: n, startedAt: ts(start), endedAt: ts(start + 5), exitCode: 1, durationS: 5,
                        timedOut: false, exitCause: "exit", authFailure: true)
                }, config: HostConfigFacts(authFailHint: "run `claude login` on the host"))
        },
        "network_fail": { i in
            observation(
                at: Double(i + 11) * pollS,
                rounds: rounds(10 + i) { n, start in
                    RoundSummary(
                        roundNum: n, startedAt: ts(start), endedAt: ts(start + 5), exitCode: 1, durationS: 5,
                        timedOut: false, exitCause: "exit", networkFailure: true)
                })
        },
        "rate_limit_active": { i in
            // A fresh 429 every poll: the ladder pushes the reset time further out each time.
            let events = (0...i).map { k in
                event(
                    Double(k) * pollS, "transient_error_detected",
                    [
                        "classification": "rate_limit_model", "agent": "claude", "round_num": .int(Int64(k + 1)),
                        "reset_at_epoch": .int(t0.seconds + Int64(k) * 60 + 600), "raw": "429", "phase": "",
                    ])
            }
            return observation(at: Double(i) * pollS + 30, events: events)
        },
        "anomaly_repetitive_active": { i in
            // A new round each poll, looping on a different call each time.
            let events = (0...i).flatMap { k -> [Event] in
                let round: JSONValue = .int(Int64(k + 1))
                return [
                    event(Double(k) * pollS, "round_start", ["round_num": round]),
                    event(
                        Double(k) * pollS + 20, "anomaly_repetitive_tool",
                        [
                            "round_num": round, "tool_name": k % 2 == 0 ? "Bash" : "Read",
                            "target": .string("target-\(k)"), "count": .int(Int64(16 + k)), "window": 30,
                        ]),
                ]
            }
            return observation(at: Double(i) * pollS + 30, events: events)
        },
        "supervisor_stale": { i in
            observation(
                at: 400 + Double(i) * pollS, events: [event(0, "round_end", ["round_num": 4])],
                config: HostConfigFacts(supervisorStaleThresholdS: 300))
        },
    ]

    func testEveryDetectorNotifiesAPersistentConditionOnce() throws {
        let names = DetectorSuite.catalogue.map(\.name)
        XCTAssertEqual(
            Set(Self.scenarios.keys), Set(names),
            "every detector of the catalogue needs a persistent-condition scenario here (and none that is not one)")
        for detector in DetectorSuite.catalogue {
            let scenario = try XCTUnwrap(Self.scenarios[detector.name], detector.name)
            var monitor = HostMonitor(host: "pi", policy: MonitorPolicy(holdS: 0, repeatS: 3600))
            monitor.suite = DetectorSuite(detectors: [detector])
            var notifications: [String] = []
            var firstPollFired = false
            for poll in 0..<Self.polls {
                let observation = scenario(poll)
                let step = monitor.observe(.measured(observation), at: observation.now)
                if poll == 0 { firstPollFired = !step.notifications.isEmpty }
                notifications += step.notifications.map {
                    "poll \(poll): \($0.state.rawValue)\($0.isRepeat ? " (repeat)" : "") \($0.alert.key)"
                }
                XCTAssertEqual(
                    monitor.firing.count, 1, "\(detector.name): the condition holds at poll \(poll), so it is firing")
            }
            XCTAssertTrue(firstPollFired, "\(detector.name): the scenario fires at its first poll")
            XCTAssertEqual(
                notifications.count, 1,
                "\(detector.name): \(Self.polls) polls over \(Int(Double(Self.polls) * Self.pollS))s of one condition, "
                    + "alert_repeat_s 3600, gave \(notifications)")
        }
    }

    func testOrphanStreakKeepsCountingPastTheEventWindow() throws {
        var monitor = HostMonitor(host: "pi", policy: MonitorPolicy(holdS: 0, repeatS: 3600))
        monitor.suite = DetectorSuite(detectors: [OrphanChainDetector()])
        let scenario = try XCTUnwrap(Self.scenarios["orphan_chain"])
        for poll in 0..<Self.polls {
            let observation = scenario(poll)
            _ = monitor.observe(.measured(observation), at: observation.now)
            let alert = try XCTUnwrap(monitor.firing.first?.alert)
            XCTAssertEqual(
                alert.context["streak"], .int(Int64(3 + poll)), "poll \(poll): the streak is 3 + poll rounds")
        }
        XCTAssertEqual(monitor.firing.first?.alert.message, "52 consecutive rounds with orphan_stashed (>= 3)")
        // A clean round breaks the chain: resolved, and a new chain starts from the window again.
        var events = Self.stashedRounds(3 + Self.polls)
        let clean = Double(3 + Self.polls + 1) * Self.pollS - 55
        events.append(Self.event(clean, "round_start", ["round_num": .int(Int64(3 + Self.polls + 1))]))
        events.append(Self.event(clean + 40, "round_end", ["round_num": .int(Int64(3 + Self.polls + 1))]))
        let step = monitor.observe(
            .measured(Self.observation(at: clean + 50, events: events)), at: Self.instant(clean + 50))
        XCTAssertEqual(step.notifications.map(\.state), [.resolved])
        XCTAssertEqual(
            step.notifications.first?.since, Self.instant(4 * Self.pollS), "resolved names the episode's start")
    }
}
