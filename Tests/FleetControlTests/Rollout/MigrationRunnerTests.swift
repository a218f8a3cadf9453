import Detectors
import FleetCore
import Foundation
import Monitoring
import SSHTransport
import Synchronization
import TestSupport
import XCTest

@testable import FleetControl

/// Migrations from the original on a fake clock with scripted hosts: every remote step of each
/// host in order, when the original is stopped, what a failure restores, and the journal's
/// restore records. One worker, so the hosts of a stage go in plan order.
final class MigrationRunnerTests: XCTestCase {
    /// Each host: its original read, backed up, our build installed and asked its version, the
    /// original stopped (its round draining for one more peek), the config migrated, our peek
    /// smoke-tested, ours started with the original's arguments; then the stage's gate through
    /// our link, every 5 s over the 10 s bake.
    func testACanaryThenABatchMigrateAndPassTheirGates() throws {
        let fleet = try MigrationFleet(self, hosts: ["pi", "a"])
        let journal = fleet.runner().run()

        XCTAssertEqual(
            fleet.log("pi"),
            [
                "0s original peek", "0s record", "0s install", "0s ours --version", "0s original stop",
                "0s original peek", "5s original peek", "5s migrate-config", "5s ours peek", "5s launch ours",
                "5s ours peek", "10s ours peek", "15s ours peek",
            ])
        XCTAssertEqual(fleet.log("a").first, "15s original peek")
        XCTAssertEqual(journal.status, .finished)
        XCTAssertEqual(journal.hosts, ["pi": .healthy, "a": .healthy])
        XCTAssertEqual(journal.kind, .migration)
        let record = try XCTUnwrap(journal.migrations["pi"])
        XCTAssertEqual(record.step, .started)
        XCTAssertEqual(record.mode, .pidFile)
        XCTAssertEqual(
            record.serveCommandLine, ["/venv/bin/python3", "/venv/bin/agent-runner", "serve", "--config", "/p/a.toml"])
        XCTAssertEqual(record.serveArguments, ["serve", "--config", "/p/a.toml"])
        XCTAssertEqual(record.bakFiles, ["agent-runner.toml.bak"])
        XCTAssertEqual(
            fleet.launched("pi"),
            [
                "/home/pi/.agent-runner-migration/r1", ".local/bin/agent-runner-swift",
                "serve", "--config", "/p/a.toml",
            ])
        XCTAssertEqual(fleet.steps.filter { $0 == "host_upgraded" }.count, 2)
        XCTAssertEqual(try fleet.store.load("r1"), journal, "saved as it ends, restore records included")
    }

    /// Our build's `--version` is not the target: nothing of the original's was touched yet, so
    /// the restore only removes our build; the original was never asked to stop.
    func testABuildAnsweringAnotherVersionFailsBeforeTheOriginalIsStopped() throws {
        let fleet = try MigrationFleet(self, hosts: ["pi", "a"])
        fleet.set("pi") { $0.reportedVersion = "0.1.9" }
        let journal = fleet.runner().run()

        XCTAssertEqual(
            fleet.log("pi"), ["0s original peek", "0s record", "0s install", "0s ours --version", "0s restore-units"])
        XCTAssertEqual(journal.status, .failed)
        XCTAssertEqual(journal.hosts, ["pi": .rolledBack, "a": .pending])
        XCTAssertTrue(journal.notes["pi"]?.contains("the original was restored when its migration failed") ?? false)
        XCTAssertTrue(fleet.host("pi").originalServing)
        XCTAssertEqual(fleet.log("a"), [], "the batch never started")
    }

    /// Our peek cannot read the migrated config (the smoke check): the host is put back at once,
    /// config and backups first, then the original's serve started again from its recorded
    /// command line, and checked through the original's peek.
    func testABuildFailingItsSmokeCheckPutsTheOriginalBackAtOnce() throws {
        let fleet = try MigrationFleet(self, hosts: ["pi", "a"])
        fleet.set("pi") { $0.smokeFails = true }
        let journal = fleet.runner().run()

        XCTAssertEqual(
            fleet.log("pi"),
            [
                "0s original peek", "0s record", "0s install", "0s ours --version", "0s original stop",
                "0s original peek", "5s original peek", "5s migrate-config", "5s ours peek",
                "5s restore-config", "5s original stop", "5s original peek", "5s restore-units",
                "5s launch original", "5s original peek",
            ])
        XCTAssertEqual(
            fleet.launched("pi"),
            [
                "/home/pi/.agent-runner-migration/r1", "/venv/bin/python3",
                "/venv/bin/agent-runner", "serve", "--config", "/p/a.toml",
            ])
        XCTAssertEqual(journal.status, .failed)
        XCTAssertEqual(journal.hosts["pi"], .rolledBack)
        XCTAssertEqual(journal.migrations["pi"]?.restored, true)
        let failed = try XCTUnwrap(fleet.events().first { $0.contains("rollout_host_failed") })
        XCTAssertTrue(failed.contains(#""phase": "smoke""#), failed)
        XCTAssertTrue(failed.contains("original back: config restored (sha256 as before)"), failed)
        XCTAssertTrue(fleet.host("pi").originalServing)
        XCTAssertFalse(fleet.host("pi").configMigrated)
    }

    /// A config our migrate cannot finish (a MANUAL item, exit 78) fails the host at the config
    /// step, after the original stopped: it is put back and serving again.
    func testAConfigWithAManualItemFailsTheHostAndPutsTheOriginalBack() throws {
        let fleet = try MigrationFleet(self, hosts: ["pi"])
        fleet.set("pi") { $0.manualItem = true }
        let journal = fleet.runner().run()

        XCTAssertEqual(
            Array(fleet.log("pi").suffix(7)),
            [
                "5s migrate-config", "5s restore-config", "5s original stop", "5s original peek", "5s restore-units",
                "5s launch original", "5s original peek",
            ])
        XCTAssertEqual(journal.hosts["pi"], .rolledBack)
        let failed = try XCTUnwrap(fleet.events().first { $0.contains("rollout_host_failed") })
        XCTAssertTrue(failed.contains(#""phase": "config""#) && failed.contains("needs a hand edit"), failed)
        XCTAssertTrue(fleet.host("pi").originalServing)
    }

    /// Ours dies during the bake: the gate fails and the stage's host is restored (ours stopped
    /// through the original's own stop, which reads our serve.pid).
    func testAFailedGateRestoresTheOriginal() throws {
        let fleet = try MigrationFleet(self, hosts: ["pi"])
        fleet.set("pi") { $0.oursDiesAfterPeeks = 2 }
        let journal = fleet.runner().run()

        XCTAssertEqual(
            Array(fleet.log("pi").suffix(7)),
            [
                "10s ours peek", "10s restore-config", "10s original stop", "10s original peek", "10s restore-units",
                "10s launch original", "10s original peek",
            ])
        XCTAssertEqual(journal.hosts, ["pi": .rolledBack])
        XCTAssertTrue(
            journal.notes["pi"]?.hasPrefix("original back: config restored") ?? false, journal.notes["pi"] ?? "")
        XCTAssertTrue(fleet.host("pi").originalServing)
    }

    /// A systemd user unit: ours is started by our install over the same unit name, and a
    /// restore puts the unit file back and re-enables and starts it (its recorded state).
    func testASystemdHostIsStartedThroughOurInstallAndRestoredThroughItsUnit() throws {
        let fleet = try MigrationFleet(self, hosts: ["pi"], mode: "systemd_user")
        fleet.set("pi") { $0.oursDiesAfterPeeks = 1 }
        let journal = fleet.runner().run()

        let log = fleet.log("pi")
        XCTAssertTrue(log.contains("5s ours install"), "\(log)")
        XCTAssertEqual(Array(log.suffix(3)), ["5s restore-units", "5s restore-unit-state", "5s original peek"])
        XCTAssertEqual(fleet.unitStates("pi"), [["agent-runner@demo.service", "enabled", "active"]])
        XCTAssertEqual(
            journal.migrations["pi"]?.units,
            [
                .init(
                    name: "agent-runner@demo.service", enabled: "enabled",
                    active: "active")
            ])
        XCTAssertEqual(journal.hosts, ["pi": .rolledBack])
    }

    /// A stopped systemd unit is refused before anything changes: our install would start it.
    func testAStoppedSystemdUnitIsRefusedUntouched() throws {
        let fleet = try MigrationFleet(self, hosts: ["pi"], mode: "systemd_user")
        fleet.set("pi") { $0.originalServing = false }
        let journal = fleet.runner().run()
        XCTAssertEqual(fleet.log("pi"), ["0s original peek"])
        XCTAssertEqual(journal.hosts["pi"], .failed)
        XCTAssertTrue(journal.notes["pi"]?.hasPrefix("its systemd unit is installed but not running") ?? false)
    }

    /// A fleetctl killed while the original was stopping: `--resume` restores the host first (the
    /// original started again), then migrates it afresh.
    func testAResumeRestoresAHostLeftMidWayThenMigratesItAgain() throws {
        let fleet = try MigrationFleet(self, hosts: ["pi"])
        var journal = fleet.journal
        journal.record("pi", .upgrading)
        journal.migrations["pi"] = MigrationRecord(
            mode: .pidFile, serviceActive: true, project: "demo", backupDir: "/home/pi/.agent-runner-migration/r1",
            configSHA256: String(repeating: "a", count: 64),
            serveCommandLine: ["/venv/bin/python3", "/venv/bin/agent-runner", "serve", "--config", "/p/a.toml"],
            serveWorkingDirectory: "/p", step: .stopping)
        fleet.set("pi") { $0.originalServing = false }
        let runner = fleet.runner(journal)
        runner.reconcile()
        XCTAssertEqual(runner.journal.hosts["pi"], .pending)
        XCTAssertNil(runner.journal.migrations["pi"])
        XCTAssertTrue(fleet.host("pi").originalServing, "put back before anything else")
        let finished = runner.run()
        XCTAssertEqual(finished.hosts["pi"], .healthy)
        XCTAssertEqual(fleet.log("pi").filter { $0.hasSuffix("record") }.count, 1, "backed up afresh")
    }

    /// `--abort` of a finished migration puts the original back on every migrated host, once.
    func testAnAbortRestoresEveryMigratedHostOnce() throws {
        let fleet = try MigrationFleet(self, hosts: ["pi"])
        let finished = fleet.runner().run()
        XCTAssertEqual(finished.hosts["pi"], .healthy)
        XCTAssertFalse(fleet.host("pi").originalServing)

        let aborted = fleet.runner(finished).abort()
        XCTAssertEqual(aborted.status, .aborted)
        XCTAssertEqual(aborted.hosts["pi"], .rolledBack)
        XCTAssertEqual(
            Array(fleet.log("pi").suffix(6)),
            [
                "15s restore-config", "15s original stop", "15s original peek", "15s restore-units",
                "15s launch original", "15s original peek",
            ])
        XCTAssertTrue(fleet.host("pi").originalServing)
        let calls = fleet.log("pi").count
        _ = fleet.runner(aborted).abort()
        XCTAssertEqual(fleet.log("pi").count, calls, "a restored host is not touched again")
    }

    // MARK: values

    func testTheRecordManifestReadsTheCommandLineByteForByte() throws {
        let manifest = """
            backup=/home/pi/.agent-runner-migration/r1
            config_sha256=\(String(repeating: "0f", count: 32))
            bak=agent-runner.toml.bak
            unit=agent-runner@demo.service enabled active
            cmdline_hex=2f7573722f62696e2f707974686f6e330073657276650061206200
            cwd=/home/pi/proj
            link_existed=1
            """
        let record = try MigrationRecord(manifest: manifest, mode: .pidFile, serviceActive: true, project: "demo")
        XCTAssertEqual(record.serveCommandLine, ["/usr/bin/python3", "serve", "a b"])
        XCTAssertEqual(record.units, [.init(name: "agent-runner@demo.service", enabled: "enabled", active: "active")])
        XCTAssertTrue(record.linkExisted)
        XCTAssertEqual(MigrationRecord(json: record.json), record)
        XCTAssertThrowsError(
            try MigrationRecord(manifest: "cwd=/x", mode: .pidFile, serviceActive: true, project: "demo"))
    }

    /// The scripts are valid POSIX sh (`sh -n`), and every value reaches them as an argument.
    func testEveryScriptIsValidShAndTakesItsValuesAsArguments() throws {
        let scripts = [
            MigrationScripts.record, MigrationScripts.install, MigrationScripts.migrateConfig,
            MigrationScripts.launch, MigrationScripts.restoreConfig, MigrationScripts.restoreUnits,
            MigrationScripts.restoreUnitState,
        ]
        for script in scripts {
            let check = try PosixProcessRunner().run(
                ProcessRequest(
                    "sh", arguments: ["-n", "-c", script],
                    deadline: .now + .seconds(10)))
            XCTAssertEqual(check.exit, .terminated(0), check.stderrText + script)
        }
        XCTAssertEqual(
            MigrationScripts.argv(MigrationScripts.install, ["x'y", "$(z)"]),
            ["sh", "-c", MigrationScripts.install, "fleetctl-migrate", "x'y", "$(z)"])
    }

    func testAMigrationPlansOnlyTheOriginalsHostsAndAnUpgradeOnlyOurs() {
        let candidates = [
            RolloutCandidate(name: "old", version: nil, reachable: true, runsOriginal: true),
            RolloutCandidate(name: "done", version: "0.2.0", reachable: true),
            RolloutCandidate(name: "ours", version: "0.1.0", reachable: true),
            RolloutCandidate(name: "gone", version: nil, reachable: false, error: "refused"),
        ]
        let plan = RolloutPlanner.plan(
            candidates: candidates, target: "0.2.0", canary: [], batch: .count(5), kind: .migration)
        XCTAssertEqual(plan.hosts, ["old"])
        XCTAssertEqual(
            plan.text,
            """
            migration from the original to 0.2.0: 1 host in 1 stage
              batch 1: old
              skip done: already on 0.2.0
              skip ours: runs our agent-runner 0.1.0, not the original (fleetctl upgrade moves it)
              skip gone: unreachable (refused); --include-unreachable to try it anyway

            """)
        let upgrade = RolloutPlanner.plan(candidates: candidates, target: "0.2.0", canary: [], batch: .count(5))
        XCTAssertEqual(upgrade.hosts, ["ours"], "an upgrade leaves the original's hosts to fleetctl migrate")
        XCTAssertTrue(
            upgrade.text.contains("skip old: runs the original 0.3.x (fleetctl migrate moves it)"),
            upgrade.text)
    }
}

/// Scripted hosts running the original (pid-file, or a systemd user unit), a migration journal
/// planning them (`pi` the canary, then one batch), the build in memory.
private final class MigrationFleet: Sendable {
    struct Host {
        var mode = "pid_file"
        /// The original's serve runs (false while ours runs or nothing does).
        var originalServing = true
        /// Peeks the original still answers active after its stop (its round draining).
        var drainingPeeks = 0
        var stopping = false
        var oursServing = false
        var oursPeeks = 0
        var oursDiesAfterPeeks: Int?
        var reportedVersion = "0.2.0"
        var smokeFails = false
        /// Our migrate finds an item it cannot rewrite (exit 78).
        var manualItem = false
        var configMigrated = false
        var log: [String] = []
        var launched: [[String]] = []
        var unitStates: [[String]] = []
    }

    let clock = FakeClock()
    let files = MemoryFileSystem(["/builds/agent-runner": "the build"])
    let store: RolloutJournalStore
    let remote: ScriptedRemoteExecutor
    let journal: RolloutJournal
    let directory: String
    /// The scripted hosts' state, shared by the script and the test.
    final class HostTable: Sendable {
        let state: Mutex<[String: Host]>
        init(_ hosts: [String: Host]) { state = Mutex(hosts) }
    }

    private let hosts: HostTable
    private let output = Mutex<[String]>([])

    init(_ test: XCTestCase, hosts names: [String], mode: String = "pid_file") throws {
        directory = NSTemporaryDirectory() + "migration-runner-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        test.addTeardownBlock { [directory] in try? FileManager.default.removeItem(atPath: directory) }
        store = RolloutJournalStore(stateDirectory: "/state", fileSystem: files)
        var table: [String: Host] = [:]
        for name in names { table[name] = Host(mode: mode) }
        let hosts = HostTable(table)
        self.hosts = hosts
        remote = ScriptedRemoteExecutor(clock: clock) { call in Self.answer(call, hosts: hosts) }
        let candidates = names.map { RolloutCandidate(name: $0, version: nil, reachable: true, runsOriginal: true) }
        let plan = RolloutPlanner.plan(
            candidates: candidates, target: "0.2.0", canary: ["pi"], batch: .count(5),
            kind: .migration)
        let settings = RolloutJournal.Settings(
            artifact: "/builds/agent-runner", bakeS: 10,
            migration: MigrationSettings(stopTimeoutS: 60))
        let before = names.map { (host: $0, answer: RolloutHostProbe.Answer(reachable: true, serviceActive: true)) }
        var journal = RolloutJournal(
            id: "r1", plan: plan, createdAt: "2026-11-18T11:06:40.000Z", settings: settings,
            before: before)
        journal.kind = .migration
        self.journal = journal
        for name in names { set(name) { $0.drainingPeeks = 1 } }
    }

    func set(_ name: String, _ change: (inout Host) -> Void) {
        hosts.state.withLock { change(&$0[name]!) }
    }

    func host(_ name: String) -> Host { hosts.state.withLock { $0[name]! } }
    func log(_ name: String) -> [String] { host(name).log }
    func launched(_ name: String) -> [String] { host(name).launched.last ?? [] }
    func unitStates(_ name: String) -> [[String]] { host(name).unitStates }

    func runner(_ journal: RolloutJournal? = nil) -> RolloutRunner {
        let effects = Effects.fake(
            clock: clock,
            processes: ScriptedProcessRunner(run: { _ in .finished(0, stdout: "agent-runner 0.2.0\n") }),
            fileSystem: files)
        let monitored = self.journal.stages.flatMap { $0 }.map { name in
            MonitoredHost(
                target: PollTarget(
                    name: name, remote: RemoteHost(name: name, target: try! SSHTarget(name)),
                    settings: PollSettings(
                        agentRunner: "/venv/bin/agent-runner",
                        remoteConfig: "/p/a.toml")),
                policy: MonitorPolicy())
        }
        let events = EventLogWriter(directory: directory, clock: clock.wallClock, prefix: "fleet-events")
        let reporter = RolloutReporter(
            human: { _ in }, json: { line in self.output.withLock { $0.append(line) } },
            events: events)
        let artifacts = RolloutArtifactSource(
            pattern: "/builds/agent-runner", target: "0.2.0", remote: remote,
            effects: effects)
        return RolloutRunner(
            journal: journal ?? self.journal, hosts: monitored, remote: remote, effects: effects,
            store: store, reporter: reporter, artifacts: artifacts,
            options: RolloutRunner.Options(parallel: 1, gateInterval: .seconds(5)))
    }

    var steps: [String] {
        output.withLock { $0 }.compactMap { try? JSONParser.strict.parse($0)["step"]?.stringValue }
    }

    func events() throws -> [String] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter {
            $0.hasPrefix("fleet-events")
        }
        return try files.sorted().flatMap { name in
            try String(contentsOfFile: directory + "/" + name, encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }

    static let scripts: [(String, String)] = [
        (MigrationScripts.record, "record"), (MigrationScripts.install, "install"),
        (MigrationScripts.migrateConfig, "migrate-config"), (MigrationScripts.launch, "launch"),
        (MigrationScripts.restoreConfig, "restore-config"), (MigrationScripts.restoreUnits, "restore-units"),
        (MigrationScripts.restoreUnitState, "restore-unit-state"),
    ]

    private static func answer(_ call: ScriptedRemoteExecutor.Call, hosts: HostTable) -> ScriptedRemoteExecutor.Reply? {
        hosts.state.withLock { table -> ScriptedRemoteExecutor.Reply? in
            guard var host = table[call.host] else { return nil }
            defer { table[call.host] = host }
            let argv = call.argv
            let at = ScriptedRemoteExecutor.Call.format(call.at)
            if argv.first == "sh", argv.count > 3, let name = scripts.first(where: { $0.0 == argv[2] })?.1 {
                let arguments = Array(argv.dropFirst(4))
                if name == "launch" {
                    let ours = arguments[1].hasSuffix("agent-runner-swift")
                    host.log.append("\(at) launch \(ours ? "ours" : "original")")
                    host.launched.append(arguments)
                    if ours { host.oursServing = true } else { host.originalServing = true }
                    return .stdout("started=4343\n")
                }
                host.log.append("\(at) \(name)")
                switch name {
                case "record":
                    let systemd = host.mode == "systemd_user"
                    return .stdout(
                        """
                        backup=/home/\(call.host)/.agent-runner-migration/r1
                        config_sha256=\(String(repeating: "a", count: 64))
                        bak=agent-runner.toml.bak
                        \(systemd ? "unit=agent-runner@demo.service enabled active" : "cmdline_hex=" + Self.hex(
                            ["/venv/bin/python3", "/venv/bin/agent-runner", "serve", "--config", "/p/a.toml"]))
                        cwd=/p

                        """)
                case "install":
                    return .stdout("installed=/home/x/.local/lib/agent-runner/versions/0.2.0/agent-runner\n")
                case "migrate-config":
                    if host.manualItem {
                        return .failed(code: 78, stderr: "agent-runner: agent-runner.toml: 1 item needs a hand edit")
                    }
                    host.configMigrated = true
                    return .stdout("rewrite: ...\n")
                case "restore-config":
                    host.configMigrated = false
                    return .stdout("config_sha256=\(String(repeating: "a", count: 64))\n")
                case "restore-units": return .stdout("")
                case "restore-unit-state":
                    host.unitStates.append(arguments)
                    if arguments.last == "active" { host.originalServing = true }
                    return .stdout("\(arguments[0]): enabled active\n")
                default: return nil
                }
            }
            let ours = argv.first == ".local/bin/agent-runner-swift"
            host.log.append("\(at) \(ours ? "ours" : "original") \(argv.count > 1 ? argv[1] : "")")
            switch (ours, argv.count > 1 ? argv[1] : "") {
            case (false, "peek"):
                var active = host.originalServing || host.oursServing
                if host.stopping && host.drainingPeeks > 0 {
                    host.drainingPeeks -= 1
                    active = true
                } else if host.stopping {
                    host.originalServing = false
                    host.oursServing = false
                    host.stopping = false
                    active = false
                }
                return .json([
                    "schema_version": "2.6", "project": "demo",
                    "service": ["mode": .string(host.mode), "active": .bool(active), "pid": active ? 4242 : .null],
                ])
            case (false, "stop"):
                host.stopping = host.originalServing || host.oursServing
                return .json(["active": true])
            case (true, "--version"):
                return .stdout("agent-runner \(host.reportedVersion)\n")
            case (true, "peek"):
                if host.smokeFails {
                    return .failed(code: 78, stderr: "agent-runner: config error: agent-runner.toml:3: ...")
                }
                host.oursPeeks += 1
                if let dies = host.oursDiesAfterPeeks, host.oursPeeks > dies { host.oursServing = false }
                return .json([
                    "schema_version": "3.0", "agent_runner_version": .string(host.reportedVersion),
                    "service": ["mode": .string(host.mode), "active": .bool(host.oursServing)],
                ])
            case (true, "install"):
                host.oursServing = true
                host.originalServing = false
                return .stdout("{}\n")
            default:
                return nil
            }
        }
    }

    static func hex(_ words: [String]) -> String {
        words.flatMap { Array($0.utf8) + [0] }.map {
            String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
        }
        .joined()
    }
}
