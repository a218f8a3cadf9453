import FleetCore
import XCTest

@testable import Detectors

/// The card detectors on what the real original 0.3.14 reports (its recorded peek documents and
/// event logs), with the verdicts fleetctl reads from its round transcripts.
final class OriginalPeekDetectorTests: XCTestCase {
    private typealias O = OriginalFixtures

    private func policy(window: Int = 2) -> DetectorPolicy {
        var policy = DetectorPolicy()
        policy.window = window
        return policy
    }

    private func detectors(_ observation: HostObservation, _ policy: DetectorPolicy) -> [String] {
        DetectorSuite.run(observation, policy: policy).alerts.map(\.detector)
    }

    /// The case's peek with its events, polled `seconds` after its last event.
    private func observe(_ name: String, after seconds: Int64) throws -> HostObservation {
        HostObservation(peek: try O.peekWithEvents(name), pollerNow: try O.after(name, seconds: seconds))
    }

    /// The transcript tail the original's `peek --round latest --log` printed for the case.
    private func tail(_ name: String) throws -> String {
        try XCTUnwrap(O.json("rounds/\(name)/peek-round-latest-log.json")["current_round"]?["log_tail"]?.stringValue)
    }

    func testTheOriginalIsRecognisedFromItsPeekAndOursFromItsVersion() throws {
        let zero = UTCInstant(seconds: 0)
        let original = HostObservation(peek: try O.json("rounds/claude-401/peek.json"), pollerNow: zero)
        XCTAssertEqual(original.producer, .original(schema: "2.6"))
        let ours = HostObservation(peek: ["schema_version": "3.0", "agent_runner_version": "0.1.0"], pollerNow: zero)
        XCTAssertEqual(ours.producer, .ours(version: "0.1.0"))
        XCTAssertEqual(HostObservation(peek: ["project": "x"], pollerNow: zero).producer, .unknown)
    }

    /// A claude 401 round on the original leaves only `agent_exit {exit_code 1}`: the events alone
    /// never make oauth_fail; the transcript's verdicts do, round by round.
    func testClaude401RoundsFailAuthOnlyThroughTheirTranscripts() throws {
        var observation = try observe("claude-401", after: 5)
        XCTAssertEqual(observation.rounds.map(\.exitCode), [1, 1])
        XCTAssertEqual(observation.rounds.map(\.authFailure), [false, false])
        XCTAssertEqual(detectors(observation, policy()), [])

        XCTAssertEqual(RoundLogVerdict.classify(try tail("claude-401")), .auth)
        let started = observation.rounds.map(\.startedAt)
        observation.apply([RoundLogVerdict(roundNum: 2, startedAt: started[1], failures: .auth)])
        var threshold = policy()
        threshold.rateThreshold = 1
        XCTAssertEqual(detectors(observation, threshold), [], "1/2 rounds read so far")
        observation.apply([RoundLogVerdict(roundNum: 1, startedAt: started[0], failures: .auth)])
        let alert = try XCTUnwrap(DetectorSuite.run(observation, policy: threshold).alerts.first)
        XCTAssertEqual(alert.detector, "oauth_fail")
        XCTAssertEqual(alert.message, "2/2 recent rounds failed auth (agent-reported or short-exit pattern)")
        XCTAssertTrue(alert.requestsStop)
    }

    /// A verdict names the round's start: after a log reset, round 2 is another round.
    func testAVerdictForAnEarlierRoundOfTheSameNumberDoesNotApply() throws {
        var observation = try observe("claude-401", after: 5)
        observation.apply([RoundLogVerdict(roundNum: 2, startedAt: "2026-01-01T00:00:00.000Z", failures: .auth)])
        XCTAssertEqual(observation.rounds.map(\.authFailure), [false, false])
    }

    /// `read ECONNRESET`: the original writes no blip (its regex has "connection reset", not the
    /// errno); the transcript verdict makes it a network failure.
    func testEconnresetRoundsAreNetworkFailuresThroughTheirTranscripts() throws {
        var observation = try observe("claude-net-econnreset", after: 5)
        XCTAssertFalse(observation.events.contains { $0.kind == "agent_network_blip" })
        XCTAssertEqual(detectors(observation, policy()), [])
        XCTAssertEqual(RoundLogVerdict.classify(try tail("claude-net-econnreset")), .network)
        observation.apply(
            observation.rounds.map {
                RoundLogVerdict(roundNum: $0.roundNum, startedAt: $0.startedAt, failures: .network)
            })
        let alert = try XCTUnwrap(DetectorSuite.run(observation, policy: policy()).alerts.first)
        XCTAssertEqual(alert.detector, "network_fail")
        XCTAssertEqual(alert.message, "2/2 recent rounds short-exited with network error pattern")
    }

    /// `connect ECONNREFUSED`: the original's own `agent_network_blip` is enough.
    func testEconnrefusedRoundsAreNetworkFailuresFromTheOriginalsBlips() throws {
        let observation = try observe("claude-net-econnrefused", after: 5)
        XCTAssertEqual(observation.rounds.map(\.networkFailure), [true, true])
        XCTAssertEqual(detectors(observation, policy()), ["network_fail"])
    }

    func testTheOriginalsTranscriptsOfOtherFailuresAreNeitherAuthNorNetwork() throws {
        XCTAssertEqual(RoundLogVerdict.classify(try tail("claude-429-five-hour")), [])
        XCTAssertEqual(RoundLogVerdict.classify(try tail("claude-529")), [])
        XCTAssertEqual(RoundLogVerdict.classify(try tail("claude-net-enotfound")), .network)
    }

    /// A rejected five_hour rate_limit_event: the original's `transient_error_detected` (and its
    /// `service.rate_limit`) make rate_limit_active until the reset.
    func testARejectedFiveHourLimitIsRateLimitActiveUntilItsReset() throws {
        let before = try O.after("claude-429-five-hour", seconds: 60)
        let observation = HostObservation(peek: try O.peekWithEvents("claude-429-five-hour"), pollerNow: before)
        let alert = try XCTUnwrap(DetectorSuite.run(observation, policy: policy()).alerts.first)
        XCTAssertEqual(alert.detector, "rate_limit_active")
        XCTAssertEqual(alert.message, "throttled until 2026-12-02T23:52:35+00:00 (rate_limit_account)")
        let withoutEvents = HostObservation(
            peek: try O.json("rounds/claude-429-five-hour/peek.json"),
            pollerNow: before)
        XCTAssertEqual(detectors(withoutEvents, policy()), ["rate_limit_active"], "from service.rate_limit alone")
        let after = HostObservation(
            peek: try O.peekWithEvents("claude-429-five-hour"),
            pollerNow: UTCInstant(seconds: 1_796_255_556))
        XCTAssertFalse(detectors(after, policy()).contains("rate_limit_active"))
    }

    /// A serve that stopped writing: no event for longer than 1.5 × the original's round budget
    /// (its `defenses` entry `round_budget_s` = 1800).
    func testASilentOriginalIsSupervisorStale() throws {
        let observation = try observe("claude-401", after: 2701)
        XCTAssertEqual(observation.config.roundTimeoutS, 1800)
        XCTAssertEqual(detectors(observation, policy(window: 10)), ["supervisor_stale"])
        XCTAssertEqual(detectors(try observe("claude-401", after: 2699), policy(window: 10)), [])
    }

    /// The original's `system` block is its last metrics line.
    func testAFullDiskInTheOriginalsSystemBlockIsDiskCritical() throws {
        guard case .object(var document) = try O.json("rounds/claude-401/peek.json") else { return XCTFail() }
        var system = try XCTUnwrap(document["system"]?.objectValue)
        system["disk_used_pct"] = 96.5
        document["system"] = .object(system)
        let observation = HostObservation(peek: .object(document), pollerNow: UTCInstant(seconds: 0))
        let alert = try XCTUnwrap(DetectorSuite.run(observation, policy: policy()).alerts.first)
        XCTAssertEqual(alert.detector, "disk_critical")
        XCTAssertTrue(alert.requestsStop)
    }

    /// The original's own monitor recorded oauth_fail (4 times while serve drained its round):
    /// that holds on an original host until a round exits 0 after it.
    func testTheOriginalsOwnMonitorReportHoldsUntilARoundSucceeds() throws {
        let events = try O.events("monitor-local/events.jsonl")
        func observation(until ts: String, producer original: Bool = true) -> HostObservation {
            var document: JSONObject = ["recent_events": .array(events.filter { ($0["ts"]?.stringValue ?? "") <= ts })]
            document["schema_version"] = original ? "2.6" : "3.0"
            if !original { document["agent_runner_version"] = "0.1.0" }
            return HostObservation(peek: .object(document), pollerNow: EventTimestamp.parse(ts)!)
        }
        let draining = observation(until: "2026-12-02T22:59:04.000Z")
        let alerts = DetectorSuite.run(draining, policy: policy(window: 10)).alerts
        let alert = try XCTUnwrap(alerts.first { $0.detector == "oauth_fail" })
        XCTAssertEqual(
            alert.message,
            "10/10 recent rounds failed auth (agent-reported or short-exit pattern) "
                + "(reported by the host's monitor at 2026-12-02T22:59:03.270Z)")
        XCTAssertEqual(alert.context["reported_by"], "host_monitor")
        XCTAssertTrue(alert.requestsStop)
        let later = observation(until: "2026-12-02T22:59:06.000Z")
        XCTAssertFalse(detectors(later, policy(window: 10)).contains("oauth_fail"), "round 11 exited 0 after it")
        XCTAssertFalse(
            detectors(observation(until: "2026-12-02T22:59:04.000Z", producer: false), policy(window: 10))
                .contains("oauth_fail"), "only the original's monitor is taken at its word")
    }
}
