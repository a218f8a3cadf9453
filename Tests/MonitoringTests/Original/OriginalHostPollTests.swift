import Detectors
import FleetCore
import Foundation
import SSHTransport
import Synchronization
import TestSupport
import XCTest

@testable import Monitoring

/// Polling hosts that run the original 0.3.14, on a fake clock with a scripted remote that
/// answers with the original's recorded outputs (Tests/EndToEndTests/Fixtures/original): the
/// one extra call per poll, only when needed, and what it adds to the observation and the facts.
final class OriginalHostPollTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("EndToEndTests/Fixtures/original").path

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: fixtures + "/" + relative, encoding: .utf8)
    }

    /// The case's `peek.json` with its whole event log as `recent_events` (what `--events 200` reads).
    static func peek(_ name: String) throws -> JSONValue {
        guard case .object(var document) = try JSONParser.strict.parse(try text("rounds/\(name)/peek.json")) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        let lines = try text("rounds/\(name)/events.jsonl").split(separator: "\n")
        document["recent_events"] = .array(try lines.map { try JSONParser.strict.parse(String($0)) })
        return .object(document)
    }

    let clock = FakeClock(wall: UTCInstant(seconds: 1_796_251_960))
    let settings = PollSettings(agentRunner: "/opt/venv/bin/agent-runner", remoteConfig: "/srv/p/agent-runner.toml")

    var target: PollTarget {
        PollTarget(name: "orig", remote: RemoteHost(name: "orig", target: try! SSHTarget("orig")), settings: settings)
    }

    func policy(window: Int) -> DetectorPolicy {
        var policy = DetectorPolicy()
        policy.window = window
        return policy
    }

    /// A remote that answers peek with `name`'s document, `--version` with 0.3.14, and
    /// `peek --round N --log` with the case's recorded drill-down (renumbered to N).
    func remote(_ name: String) throws -> ScriptedRemoteExecutor {
        let peek = try Self.peek(name)
        let drill = try Self.text("rounds/\(name)/peek-round-latest-log.json")
        return ScriptedRemoteExecutor(clock: clock) { call in
            let words = call.argv
            func view(_ round: String) -> String {
                drill.replacingOccurrences(
                    of: "\"round_num\": 2,\n  \"phase\"",
                    with: "\"round_num\": \(round),\n  \"phase\"")
            }
            if words.first == "sh", let index = words.firstIndex(of: "--round") {
                return .stdout("agent-runner 0.3.14\n" + view(words[index + 1]))
            }
            if words.contains("--version") { return .stdout("agent-runner 0.3.14\n") }
            if let index = words.firstIndex(of: "--round") { return .stdout(view(words[index + 1])) }
            return call.isPeek ? .json(peek) : nil
        }
    }

    func testTheOneExtraCallIsDataVersionAloneTranscriptAloneOrBothInOneShell() {
        let config = ["--config", "/srv/p/agent-runner.toml"]
        XCTAssertEqual(
            OriginalFollowUp(askVersion: true).command(settings),
            ["/opt/venv/bin/agent-runner", "--version"])
        XCTAssertEqual(
            OriginalFollowUp(askVersion: false, round: 7).command(settings),
            ["/opt/venv/bin/agent-runner", "peek", "--json", "--round", "7", "--log"] + config)
        XCTAssertEqual(
            OriginalFollowUp(askVersion: true, round: 7).command(settings),
            [
                "sh", "-c", #""$0" --version && exec "$0" "$@""#, "/opt/venv/bin/agent-runner",
                "peek", "--json", "--round", "7", "--log",
            ] + config)
    }

    /// claude 401 rounds (exit 1, 0.2 s, nothing in the events): the first poll asks the version
    /// and the newest round's transcript in one call; the next reads the round before; then
    /// nothing more is fetched, and oauth_fail stands on the two verdicts.
    func testClaude401HostGetsOneExtraCallPerPollUntilEveryShortFailureIsRead() throws {
        let remote = try remote("claude-401")
        let poller = PeekPoller(executor: remote, clock: clock, wallClock: clock.wallClock)
        let policy = policy(window: 2)
        var rows: [HostRow] = []
        for _ in 0..<3 {
            rows.append(HostRow(snapshot: poller.poll(target, policy: policy), policy: policy))
            clock.advance(by: .seconds(30))
        }
        XCTAssertEqual(
            remote.calls.map { $0.argv.first == "sh" ? "sh" : $0.verb },
            ["peek", "sh", "peek", "peek", "peek"])
        XCTAssertEqual(remote.calls[3].argv.dropFirst().prefix(5), ["peek", "--json", "--round", "1", "--log"])
        XCTAssertEqual(remote.calls[1].argv[7], "2", "the newest round first")
        XCTAssertEqual(rows.map(\.alerts), [["oauth_fail"], ["oauth_fail"], ["oauth_fail"]])
        XCTAssertEqual(rows.map { $0.facts?.version }, ["0.3.14", "0.3.14", "0.3.14"])
        XCTAssertEqual(rows.last?.facts?.runner, "original")
        XCTAssertEqual(rows.last?.cells[8], "0.3.14 (original)")
        XCTAssertEqual(poller.memory.verdicts(of: "orig").map(\.roundNum), [2, 1])
    }

    /// The exact version is the Prometheus `fleet_host_info` version label too.
    func testTheOriginalsVersionIsTheMetricsVersionLabel() throws {
        let remote = try remote("claude-401")
        let poll = PeekPoller(executor: remote, clock: clock, wallClock: clock.wallClock).poll(target)
        var values = HostMetricValues(host: "orig", up: true, reachable: true)
        let facts = try XCTUnwrap(poll.facts)
        values.read(facts: facts, observation: try XCTUnwrap(poll.observation), polledAt: poll.polledAt)
        let text = PrometheusText.render(FleetMetricFamilies.hosts([values]))
        XCTAssertTrue(text.contains(#"fleet_host_info{host="orig",version="0.3.14"} 1"#), text)
    }

    /// A rate-limited host's newest round also failed short, but its transcript shows no auth or
    /// network error: read once, no alert but rate_limit_active.
    func testAHostWhoseNewestRoundFailedOnARateLimitIsReadOnceAndOnlyThrottled() throws {
        let remote = try remote("claude-429-five-hour")
        let poller = PeekPoller(executor: remote, clock: clock, wallClock: clock.wallClock)
        let policy = policy(window: 1)
        let first = HostRow(snapshot: poller.poll(target, policy: policy), policy: policy)
        let second = HostRow(snapshot: poller.poll(target, policy: policy), policy: policy)
        XCTAssertEqual(remote.calls.count, 3, "peek + (version and round 1), then peek alone")
        XCTAssertEqual(first.alerts, ["rate_limit_active"])
        XCTAssertEqual(second.alerts, ["rate_limit_active"])
    }

    /// Rounds the original's own blips already explain (ECONNREFUSED) need no transcript.
    func testRoundsExplainedByTheOriginalsEventsAreNotFetched() throws {
        let remote = try remote("claude-net-econnrefused")
        let poller = PeekPoller(executor: remote, clock: clock, wallClock: clock.wallClock)
        let row = HostRow(snapshot: poller.poll(target, policy: policy(window: 2)), policy: policy(window: 2))
        XCTAssertEqual(remote.calls.map(\.argv.last), [settings.remoteConfig, "--version"])
        XCTAssertEqual(row.alerts, ["network_fail"])
    }

    /// The version is asked once per connection: again only after the host was unreachable.
    func testTheVersionIsAskedOncePerConnection() throws {
        let peek = try JSONParser.strict.parse(try Self.text("rounds/peek-during-round.json"))
        let refuse = Mutex(false)
        let remote = ScriptedRemoteExecutor(clock: clock) { call in
            if refuse.withLock({ $0 }) { return .refused }
            if call.argv.last == "--version" { return .stdout("agent-runner 0.3.14\n") }
            return call.isPeek ? .json(peek) : nil
        }
        let poller = PeekPoller(executor: remote, clock: clock, wallClock: clock.wallClock)
        for _ in 0..<3 { XCTAssertEqual(poller.poll(target).facts?.version, "0.3.14") }
        refuse.withLock { $0 = true }
        XCTAssertNil(poller.poll(target).facts)
        refuse.withLock { $0 = false }
        XCTAssertEqual(poller.poll(target).facts?.version, "0.3.14")
        XCTAssertEqual(remote.calls.filter { $0.argv.last == "--version" }.count, 2)
        XCTAssertEqual(remote.calls.count, 7)
    }

    /// A `--version` that fails leaves the schema's version and is not asked again every poll.
    func testAFailingVersionKeepsTheSchemaVersion() throws {
        let peek = try JSONParser.strict.parse(try Self.text("rounds/peek-during-round.json"))
        let remote = ScriptedRemoteExecutor(clock: clock) { call in
            if call.argv.last == "--version" { return .failed(code: 2, stderr: "usage: agent-runner ...") }
            return call.isPeek ? .json(peek) : nil
        }
        let poller = PeekPoller(executor: remote, clock: clock, wallClock: clock.wallClock)
        XCTAssertEqual(poller.poll(target).facts?.version, "0.3.x (schema 2.6)")
        XCTAssertEqual(poller.poll(target).facts?.version, "0.3.x (schema 2.6)")
        XCTAssertEqual(remote.calls.count, 3)
    }

    /// Our agent-runner's hosts cost no extra call; `fleetctl peek` marks what fleetctl added.
    func testOursNeedsNoExtraCallAndPeekShowsTheOriginalsVersionUnderFleetctl() throws {
        let ours = ScriptedRemoteExecutor(clock: clock) { call in
            call.isPeek ? .json(Peek.document(rounds: 12, auth: 12)) : nil
        }
        _ = PeekPoller(executor: ours, clock: clock, wallClock: clock.wallClock).poll(target)
        XCTAssertEqual(ours.calls.count, 1)

        let remote = try remote("claude-401")
        let poller = PeekPoller(executor: remote, clock: clock, wallClock: clock.wallClock)
        let poll = poller.poll(target, keepDocument: true)
        XCTAssertEqual(poll.document?["fleetctl"], ["agent_runner_version": "0.3.14", "runner": "original"])
        XCTAssertEqual(poll.document?["schema_version"], "2.6", "the host's own fields are as it sent them")
        XCTAssertNil(poll.document?["agent_runner_version"])
    }
}
