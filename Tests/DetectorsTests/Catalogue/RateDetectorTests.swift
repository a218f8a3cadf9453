import FleetCore
import XCTest

@testable import Detectors

/// timeout_rate, oauth_fail and network_fail: the last-`window`-exits detectors.
final class RateDetectorTests: XCTestCase {
    private typealias F = Fixtures

    private func timedOut(_ n: Int) -> RoundSummary {
        F.round(n, exitCode: -15, duration: 1800, timedOut: true, cause: "timeout")
    }

    // MARK: timeout_rate

    func testTimeoutRateFiresAtThreshold() throws {
        let observation = F.observation(rounds: F.rounds(total: 12, matching: 2, timedOut))
        let alert = try XCTUnwrap(F.alerts(TimeoutRateDetector(), observation).first)
        XCTAssertEqual(alert.message, "2/10 recent rounds timed out (>20%)")
        XCTAssertEqual(alert.severity, .warning)
        XCTAssertEqual(alert.key, "timeout_rate")
        XCTAssertFalse(alert.requestsStop)
        XCTAssertEqual(alert.context, ["rate": 0.2, "threshold": 0.2, "window": 10])
    }

    func testTimeoutRateSilentJustBelowThreshold() {
        let observation = F.observation(rounds: F.rounds(total: 12, matching: 1, timedOut))
        XCTAssertEqual(F.alerts(TimeoutRateDetector(), observation), [])
    }

    func testTimeoutRateAboveThreshold() {
        let observation = F.observation(rounds: F.rounds(total: 10, matching: 3, timedOut))
        XCTAssertEqual(
            F.alerts(TimeoutRateDetector(), observation).first?.message, "3/10 recent rounds timed out (>20%)")
    }

    func testTimeoutRateNeedsAFullWindow() {
        // 9 exits, all timed out: 100%, but the window is not full.
        let observation = F.observation(rounds: (1...9).map(timedOut))
        XCTAssertEqual(F.alerts(TimeoutRateDetector(), observation), [])
        // A round without an exit (still running) does not fill the window either.
        var rounds = (1...9).map(timedOut)
        rounds.append(RoundSummary(roundNum: 10, startedAt: F.ts(10_000)))
        XCTAssertEqual(F.alerts(TimeoutRateDetector(), F.observation(rounds: rounds)), [])
    }

    func testGraceKillsAreNotTimeouts() {
        let graceKilled = F.rounds(total: 10, matching: 5) {
            F.round($0, exitCode: -15, duration: 3, timedOut: true, cause: "grace_kill")
        }
        XCTAssertEqual(F.alerts(TimeoutRateDetector(), F.observation(rounds: graceKilled)), [])
    }

    func testTimeoutRateUsesPolicyWindowAndThreshold() {
        let settings = F.settings {
            $0.window = 4
            $0.rateThreshold = 0.5
        }
        let below = F.observation(rounds: F.rounds(total: 4, matching: 1, timedOut))
        XCTAssertEqual(F.alerts(TimeoutRateDetector(), below, settings), [])
        let at = F.observation(rounds: F.rounds(total: 4, matching: 2, timedOut))
        let alert = F.alerts(TimeoutRateDetector(), at, settings).first
        XCTAssertEqual(alert?.message, "2/4 recent rounds timed out (>50%)")
        XCTAssertEqual(alert?.context["window"], 4)
    }

    func testInvalidPolicyValuesGiveNoAlertInsteadOfTrapping() {
        let observation = F.observation(rounds: F.rounds(total: 12, matching: 12, timedOut))
        for configure: (inout DetectorPolicy) -> Void in [
            { $0.window = 0 }, { $0.window = -3 }, { $0.rateThreshold = .nan }, { $0.rateThreshold = 0 },
        ] {
            XCTAssertEqual(F.alerts(TimeoutRateDetector(), observation, F.settings(configure)), [])
        }
    }

    // MARK: oauth_fail

    private func authShort(_ n: Int) -> RoundSummary {
        F.round(n, exitCode: 1, duration: 0.2, cause: "error", auth: true)
    }

    func testOAuthFailAtThresholdIsCriticalAndAsksForStop() throws {
        let config = HostConfigFacts(authFailHint: "Run `claude /login`")
        let observation = F.observation(rounds: F.rounds(total: 10, matching: 2, authShort), config: config)
        let alert = try XCTUnwrap(F.alerts(OAuthFailDetector(), observation).first)
        XCTAssertEqual(alert.message, "2/10 recent rounds failed auth (agent-reported or short-exit pattern)")
        XCTAssertEqual(alert.severity, .critical)
        XCTAssertTrue(alert.requestsStop)
        XCTAssertEqual(alert.key, "oauth_fail")
        XCTAssertEqual(alert.context, ["matches": 2, "window": 10, "threshold": 0.2, "hint": "Run `claude /login`"])
    }

    func testOAuthFailResolvesOnTheFirstGoodRoundAfterAStart() throws {
        // Ten failed rounds; the operator logs in and starts serve again at 11_000 s.
        var rounds = (1...10).map(authShort)
        let restart = [F.event(10_900, "serve_stopped"), F.event(11_000, "serve_started", ["pid": 42])]
        XCTAssertEqual(
            F.alerts(OAuthFailDetector(), F.observation(events: restart, rounds: rounds)).first?.context["matches"], 10,
            "started, but no round has proven it yet")
        rounds.append(F.round(11))
        XCTAssertEqual(
            F.alerts(OAuthFailDetector(), F.observation(events: restart, rounds: rounds)), [],
            "the first good round after the start clears the failures before it")
        // Without a start in between, one good round proves nothing (intermittent failures).
        XCTAssertEqual(F.alerts(OAuthFailDetector(), F.observation(rounds: rounds)).first?.context["matches"], 9)
        // Failing again after the proven start: those failures count.
        rounds += [authShort(12), authShort(13)]
        XCTAssertEqual(
            F.alerts(OAuthFailDetector(), F.observation(events: restart, rounds: rounds)).first?.context["matches"], 2)
    }

    func testOAuthFailBelowThreshold() {
        let observation = F.observation(rounds: F.rounds(total: 10, matching: 1, authShort))
        XCTAssertEqual(F.alerts(OAuthFailDetector(), observation), [])
    }

    func testOAuthPatternCountsOnlyForShortFailedExits() {
        let long = F.rounds(total: 10, matching: 5) {
            F.round($0, exitCode: 1, duration: 60, cause: "error", auth: true)
        }
        XCTAssertEqual(
            F.alerts(OAuthFailDetector(), F.observation(rounds: long)), [], "60 s is not shorter than short_exit_s")
        let justShort = F.rounds(total: 10, matching: 2) {
            F.round($0, exitCode: 1, duration: 59.9, cause: "error", auth: true)
        }
        XCTAssertEqual(F.alerts(OAuthFailDetector(), F.observation(rounds: justShort)).count, 1)
        let clean = F.rounds(total: 10, matching: 5) { F.round($0, exitCode: 0, duration: 1, auth: true) }
        XCTAssertEqual(F.alerts(OAuthFailDetector(), F.observation(rounds: clean)), [])
        let timedOut = F.rounds(total: 10, matching: 5) {
            F.round($0, exitCode: -15, duration: 1, timedOut: true, cause: "timeout", auth: true)
        }
        XCTAssertEqual(F.alerts(OAuthFailDetector(), F.observation(rounds: timedOut)), [])
    }

    func testAgentReportedAuthErrorCountsWhateverTheExit() throws {
        // Two long, clean rounds, but the agent reported a 401 for each.
        let rounds = F.rounds(total: 10, matching: 0) { F.round($0) }
        let events = [
            F.event(9_500, "agent_auth_error_detected", ["round_num": 9, "agent": "pi", "raw": "401"]),
            F.event(10_500, "agent_auth_error_detected", ["round_num": 10, "agent": "pi", "raw": "401"]),
        ]
        let alert = try XCTUnwrap(F.alerts(OAuthFailDetector(), F.observation(events: events, rounds: rounds)).first)
        XCTAssertEqual(alert.context["matches"], 2)
        XCTAssertEqual(alert.context["hint"], "", "no auth_fail_hint reported → empty hint, as the original")
    }

    // MARK: network_fail

    func testNetworkFailThresholds() throws {
        let netShort: (Int) -> RoundSummary = { F.round($0, exitCode: 1, duration: 0.2, cause: "error", network: true) }
        XCTAssertEqual(
            F.alerts(NetworkFailDetector(), F.observation(rounds: F.rounds(total: 10, matching: 1, netShort))), [])
        let alert = try XCTUnwrap(
            F.alerts(NetworkFailDetector(), F.observation(rounds: F.rounds(total: 10, matching: 2, netShort))).first)
        XCTAssertEqual(alert.message, "2/10 recent rounds short-exited with network error pattern")
        XCTAssertEqual(alert.severity, .warning)
        XCTAssertEqual(
            alert.context,
            [
                "matches": 2, "window": 10, "threshold": 0.2,
                "hint": "Check upstream Anthropic status or local DNS / VPN",
            ])
        XCTAssertEqual(
            F.alerts(NetworkFailDetector(), F.observation(rounds: F.rounds(total: 10, matching: 4, netShort))).first?
                .context["matches"], 4)
    }

    func testNetworkFailRespectsShortExitPolicy() {
        let rounds = F.rounds(total: 10, matching: 3) {
            F.round($0, exitCode: 1, duration: 90, cause: "error", network: true)
        }
        XCTAssertEqual(F.alerts(NetworkFailDetector(), F.observation(rounds: rounds)), [])
        XCTAssertEqual(
            F.alerts(NetworkFailDetector(), F.observation(rounds: rounds), F.settings { $0.shortExitS = 120 }).count, 1)
    }
}
