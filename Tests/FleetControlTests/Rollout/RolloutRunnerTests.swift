import Detectors
import FleetCore
import Foundation
import Monitoring
import SSHTransport
import Synchronization
import TestSupport
import XCTest

@testable import FleetControl

/// The rollout runner on a fake clock with scripted hosts: a whole rollout, bakes included, in
/// milliseconds, with the exact times each host was upgraded, probed and rolled back. One
/// worker (`parallel: 1`) so hosts of a stage go in plan order.
final class RolloutRunnerTests: XCTestCase {
    // MARK: the bake

    /// Each stage is upgraded, then sampled every gate interval (5 s) from the start of its bake
    /// (12 s) and once more when the bake ends; the next stage starts then.
    func testEachStageBakesWithSamplesEveryGateInterval() throws {
        let fleet = try Fleet(self, hosts: ["pi", "a", "b"], batch: 2, bakeS: 12)
        let journal = fleet.runner().run()

        XCTAssertEqual(
            fleet.remote.calls.map(\.description),
            [
                "0s pi upgrade", "0s pi peek", "5s pi peek", "10s pi peek", "12s pi peek",
                "12s a upgrade", "12s b upgrade", "12s a peek", "12s b peek", "17s a peek", "17s b peek", "22s a peek",
                "22s b peek", "24s a peek", "24s b peek",
            ])
        XCTAssertEqual(fleet.clock.sleeps.map(\.seconds), [5, 5, 2, 5, 5, 2])
        XCTAssertEqual(journal.status, .finished)
        XCTAssertEqual(journal.hosts, ["pi": .healthy, "a": .healthy, "b": .healthy])
        XCTAssertEqual(
            fleet.steps,
            [
                "stage_started", "host_upgraded", "gate_started", "stage_passed",
                "stage_started", "host_upgraded", "host_upgraded", "gate_started", "stage_passed",
                "finished",
            ])
        XCTAssertEqual(
            try fleet.events(),
            [
                #"rollout_stage_passed {"rollout": "r1", "stage": "canary", "hosts": ["pi"]}"#,
                #"rollout_stage_passed {"rollout": "r1", "stage": "batch 1", "hosts": ["a", "b"]}"#,
                #"rollout_finished {"rollout": "r1", "status": "finished", "target": "0.2.0", "hosts": {"healthy": 3}}"#,
            ])
        XCTAssertEqual(RolloutOutcome.of(journal).exitCode, ExitCode.success)
        XCTAssertEqual(try fleet.store.load("r1"), journal, "the journal is saved as it ends")
    }

    /// A sample that cannot be taken (ssh refused) is retried at the next interval; two in a
    /// row do not fail the host.
    func testUnmeasurableSamplesAreRetried() throws {
        let fleet = try Fleet(self, hosts: ["pi"], batch: 1, bakeS: 12)
        fleet.refusePeeks(of: "pi", numbers: [1, 2])
        let journal = fleet.runner().run()

        XCTAssertEqual(fleet.remote.schedule("peek"), ["0s pi", "5s pi", "10s pi", "12s pi"])
        XCTAssertEqual(journal.hosts, ["pi": .healthy])
        XCTAssertEqual(journal.status, .finished)
    }

    /// Three unmeasurable samples in a row fail the gate: the rollout stops at once and rolls
    /// the host back (probe, `upgrade --rollback`, probe).
    func testThreeUnmeasurableSamplesFailTheGateAndRollBack() throws {
        let fleet = try Fleet(self, hosts: ["pi", "a"], batch: 1, bakeS: 60)
        fleet.refusePeeks(of: "pi", numbers: [1, 2, 3])
        let journal = fleet.runner().run()

        XCTAssertEqual(
            fleet.remote.calls.map(\.description),
            [
                "0s pi upgrade", "0s pi peek", "5s pi peek", "10s pi peek", "10s pi peek", "10s pi upgrade",
                "10s pi peek",
            ])
        XCTAssertEqual(fleet.remote.calls[5].argv.suffix(2), ["--rollback", "--json"])
        XCTAssertEqual(journal.status, .failed)
        XCTAssertEqual(journal.hosts, ["pi": .rolledBack, "a": .pending], "the next stage never started")
        XCTAssertEqual(journal.notes["pi"], "back on 0.1.0")
        XCTAssertEqual(
            try fleet.events(),
            [
                #"rollout_host_failed {"rollout": "r1", "host": "pi", "phase": "health gate", "#
                    + #""reason": "could not be measured 3 times in a row"}"#,
                #"rollout_rolled_back {"rollout": "r1", "host": "pi", "ok": true, "note": "back on 0.1.0"}"#,
                #"rollout_finished {"rollout": "r1", "status": "failed", "target": "0.2.0", "hosts": {"pending": 1, "#
                    + #""rolled_back": 1}}"#,
            ])
    }

    // MARK: a failed gate

    /// A host whose service stops after its upgrade fails the gate at its first sample: the
    /// rollout stops and every host it touched (the canary that passed, the batch's other host
    /// still baking, the failed one) is rolled back once, in plan order.
    func testAFailedGateRollsBackEveryTouchedHost() throws {
        let fleet = try Fleet(self, hosts: ["pi", "a", "b"], batch: 2, bakeS: 10)
        fleet.stopServiceOnUpgrade(of: "b")
        let journal = fleet.runner().run()

        XCTAssertEqual(
            fleet.remote.calls.map(\.description),
            [
                "0s pi upgrade", "0s pi peek", "5s pi peek", "10s pi peek",
                "10s a upgrade", "10s b upgrade", "10s a peek", "10s b peek",
                "10s pi peek", "10s pi upgrade", "10s pi peek",
                "10s a peek", "10s a upgrade", "10s a peek",
                "10s b peek", "10s b upgrade", "10s b peek", "10s b start",
            ])
        XCTAssertEqual(journal.status, .failed)
        XCTAssertEqual(journal.hosts, ["pi": .rolledBack, "a": .rolledBack, "b": .rolledBack])
        XCTAssertEqual(journal.notes["b"], "back on 0.1.0, service started again")
        let events = try fleet.events()
        XCTAssertEqual(events.first, #"rollout_stage_passed {"rollout": "r1", "stage": "canary", "hosts": ["pi"]}"#)
        XCTAssertEqual(
            events[1],
            #"rollout_host_failed {"rollout": "r1", "host": "b", "phase": "health gate", "#
                + #""reason": "its service is not running"}"#)
        XCTAssertEqual(
            events.last,
            #"rollout_finished {"rollout": "r1", "status": "failed", "target": "0.2.0", "#
                + #""hosts": {"rolled_back": 3}}"#)
        XCTAssertEqual(RolloutOutcome.of(journal).exitCode, ExitCode.failure)
    }

    // MARK: max_failures

    /// One failed upgrade within `max_failures` 1: the others bake and pass, the rollout
    /// finishes, and still exits 1 naming the failed host.
    func testFailuresWithinMaxFailuresFinishButExitOne() throws {
        let fleet = try Fleet(self, hosts: ["pi", "a", "b", "c"], batch: 3, bakeS: 5, maxFailures: 1)
        fleet.failUpgrade(of: "c")
        let journal = fleet.runner().run()

        XCTAssertEqual(fleet.remote.schedule("upgrade"), ["0s pi", "5s a", "5s b", "5s c"])
        XCTAssertEqual(
            fleet.remote.schedule("peek"), ["0s pi", "5s pi", "5s a", "5s b", "10s a", "10s b"],
            "the failed host is not gated")
        XCTAssertEqual(journal.status, .finished)
        XCTAssertEqual(journal.hosts, ["pi": .healthy, "a": .healthy, "b": .healthy, "c": .failed])
        XCTAssertEqual(
            RolloutOutcome.of(journal),
            RolloutOutcome(
                exitCode: ExitCode.failure,
                message: "rollout r1 finished with 1 failed host (tolerated by --max-failures 1): c"))
    }

    /// Past `max_failures` (0) the stage is not gated: the rollout stops and rolls back what it
    /// touched. A host the upgrade never reached (ssh refused) counts as a failure but has
    /// nothing to roll back; a host whose upgrade failed and left it on its old build is only
    /// recorded.
    func testPastMaxFailuresTheRolloutStopsBeforeTheGate() throws {
        let fleet = try Fleet(self, hosts: ["pi", "a", "b", "c"], batch: 3, bakeS: 5)
        fleet.failUpgrade(of: "b")
        fleet.refuseUpgrade(of: "c")
        let journal = fleet.runner().run()

        XCTAssertEqual(
            fleet.remote.calls.map(\.description),
            [
                "0s pi upgrade", "0s pi peek", "5s pi peek",
                "5s a upgrade", "5s b upgrade", "5s c upgrade",
                "5s pi peek", "5s pi upgrade", "5s pi peek",
                "5s a peek", "5s a upgrade", "5s a peek",
                "5s b peek",
            ])
        XCTAssertEqual(journal.status, .failed)
        XCTAssertEqual(journal.hosts, ["pi": .rolledBack, "a": .rolledBack, "b": .rolledBack, "c": .unreached])
        XCTAssertEqual(journal.notes["b"], "already on 0.1.0, not 0.2.0: nothing to roll back")
        XCTAssertEqual(
            fleet.steps.filter { $0 == "stopped" || $0 == "gate_started" }, ["gate_started", "stopped"],
            "the canary's gate ran, the batch's did not")
    }
}

/// Scripted hosts on agent-runner 0.1.0, a journal planning them (`pi` the canary), and the
/// runner's effects: a fake clock, the build in memory, its `--version` scripted.
private final class Fleet: Sendable {
    struct Host {
        var version = "0.1.0"
        var active = true
        var peeks = 0
        var refusedPeeks: Set<Int> = []
        var stopOnUpgrade = false
        var upgrade: Upgrade = .works
    }

    enum Upgrade { case works, fails, refused }

    let clock = FakeClock()
    /// The build, and the journal as saved.
    let files = MemoryFileSystem(["/builds/agent-runner": "the build"])
    let store: RolloutJournalStore
    let remote: ScriptedRemoteExecutor
    let journal: RolloutJournal
    let directory: String
    private let hosts: HostTable
    private let output = Mutex<[String]>([])

    init(_ test: XCTestCase, hosts names: [String], batch: Int, bakeS: Double, maxFailures: Int = 0) throws {
        directory = NSTemporaryDirectory() + "rollout-runner-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        test.addTeardownBlock { [directory] in try? FileManager.default.removeItem(atPath: directory) }
        store = RolloutJournalStore(stateDirectory: "/state", fileSystem: files)
        let hosts = HostTable(Dictionary(uniqueKeysWithValues: names.map { ($0, Host()) }))
        self.hosts = hosts
        remote = ScriptedRemoteExecutor(clock: clock) { call in Self.answer(call, hosts: hosts) }
        let candidates = names.map { RolloutCandidate(name: $0, version: "0.1.0", reachable: true) }
        let plan = RolloutPlanner.plan(candidates: candidates, target: "0.2.0", canary: ["pi"], batch: .count(batch))
        let settings = RolloutJournal.Settings(artifact: "/builds/agent-runner", bakeS: bakeS, maxFailures: maxFailures)
        let before = names.map { (host: $0, answer: RolloutHostProbe.Answer(reachable: true, serviceActive: true)) }
        journal = RolloutJournal(
            id: "r1", plan: plan, createdAt: "2026-11-18T11:06:40.000Z", settings: settings,
            before: before)
    }

    func refusePeeks(of host: String, numbers: Set<Int>) {
        hosts.state.withLock { $0[host]?.refusedPeeks = numbers }
    }

    func stopServiceOnUpgrade(of host: String) {
        hosts.state.withLock { $0[host]?.stopOnUpgrade = true }
    }

    func failUpgrade(of host: String) {
        hosts.state.withLock { $0[host]?.upgrade = .fails }
    }

    func refuseUpgrade(of host: String) {
        hosts.state.withLock { $0[host]?.upgrade = .refused }
    }

    /// The runner over these hosts: one worker, samples every 5 s.
    func runner() -> RolloutRunner {
        let effects = Effects.fake(
            clock: clock,
            processes: ScriptedProcessRunner(run: { request in
                XCTAssertEqual(request.arguments, ["--version"])
                return .finished(0, stdout: "agent-runner 0.2.0\n")
            }),
            fileSystem: files)
        let monitored = journal.stages.flatMap { $0 }.map { name in
            MonitoredHost(
                target: PollTarget(
                    name: name, remote: RemoteHost(name: name, target: try! SSHTarget(name)),
                    settings: PollSettings()), policy: MonitorPolicy())
        }
        let events = EventLogWriter(directory: directory, clock: clock.wallClock, prefix: "fleet-events")
        let reporter = RolloutReporter(
            human: { _ in }, json: { line in self.output.withLock { $0.append(line) } },
            events: events)
        let artifacts = RolloutArtifactSource(
            pattern: "/builds/agent-runner", target: "0.2.0", remote: remote,
            effects: effects)
        return RolloutRunner(
            journal: journal, hosts: monitored, remote: remote, effects: effects, store: store,
            reporter: reporter, artifacts: artifacts,
            options: RolloutRunner.Options(parallel: 1, gateInterval: .seconds(5)))
    }

    /// The `step` of every JSON line the reporter printed.
    var steps: [String] {
        output.withLock { $0 }.compactMap { try? JSONParser.strict.parse($0)["step"]?.stringValue }
    }

    /// The fleet events written, as `kind {payload}`.
    func events() throws -> [String] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix("fleet-events") }
        return try files.sorted().flatMap { name in
            try String(contentsOfFile: directory + "/" + name, encoding: .utf8).split(separator: "\n").map { line in
                guard case .object(var event) = try JSONParser.strict.parse(String(line)) else { return "" }
                let kind = event["event"]?.stringValue ?? "?"
                event = JSONObject(event.filter { $0.key != "ts" && $0.key != "event" })
                return kind + " " + JSONWriter(style: .python).string(.object(event))
            }
        }
    }

    /// The scripted hosts' state, shared by the script and the test.
    final class HostTable: Sendable {
        let state: Mutex<[String: Host]>
        init(_ hosts: [String: Host]) { state = Mutex(hosts) }
    }

    private static func answer(_ call: ScriptedRemoteExecutor.Call, hosts: HostTable) -> ScriptedRemoteExecutor.Reply? {
        hosts.state.withLock { hosts -> ScriptedRemoteExecutor.Reply? in
            guard var host = hosts[call.host] else { return nil }
            defer { hosts[call.host] = host }
            switch call.verb {
            case "peek":
                host.peeks += 1
                if host.refusedPeeks.contains(host.peeks) { return .refused }
                guard case .object(var document) = Peek.document(at: call.seconds, active: host.active) else {
                    return nil
                }
                document["agent_runner_version"] = .string(host.version)
                return .json(.object(document))
            case "upgrade" where call.argv.contains("--rollback"):
                host.version = "0.1.0"
                return .json(["outcome": "service_upgrade_rolled_back"])
            case "upgrade":
                XCTAssertEqual(call.stdin, Array("the build".utf8))
                switch host.upgrade {
                case .refused: return .refused
                case .fails: return .failed(code: 1, stderr: "smoke check failed; restored 0.1.0")
                case .works:
                    host.version = "0.2.0"
                    if host.stopOnUpgrade { host.active = false }
                    return .json(["outcome": "service_upgraded"])
                }
            case "start":
                host.active = true
                return .json(["active": true])
            default:
                return nil
            }
        }
    }
}
