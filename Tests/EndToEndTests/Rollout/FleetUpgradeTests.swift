import FleetCore
import Foundation
import TestSupport
import XCTest

/// `fleetctl upgrade` end to end: every host is a LifecycleHost running the real `agent-runner
/// serve` (pid-file mode, no systemd), reached over a real sshd on loopback. Builds are stand-in
/// scripts that report their version (to `--version` and in `peek --json`) and run the real binary.
final class FleetUpgradeTests: XCTestCase {
    struct Node {
        let host: LifecycleHost
        var link: String { host.root + "/links/agent-runner" }
        var versions: String { host.root + "/versions" }
        var linkTarget: String? { try? FileManager.default.destinationOfSymbolicLink(atPath: link) }
        func launchedVersion(of pid: Int32) -> String? {
            let lines = ((try? String(contentsOfFile: FleetUpgradeTests.launches, encoding: .utf8)) ?? "").split(
                separator: "\n")
            return lines.last { $0.hasPrefix("\(pid) ") && $0.contains(" serve ") }.map {
                String($0.split(separator: " ")[1])
            }
        }
    }

    struct Fleet {
        let sshd: LoopbackSSHD
        let nodes: [String: Node]
        let root: String
        var inventory: String { root + "/inventory.toml" }
        var stateDir: String { root + "/state" }

        func fleetctl(_ arguments: [String], timeout: Duration = .seconds(120)) throws -> Harness.Result {
            try Harness.run(
                "fleetctl", ["--inventory", inventory] + arguments, environment: ["FLEETCTL_INVENTORY": ""],
                timeout: timeout)
        }

        func journals() -> [JSONValue] {
            let folder = stateDir + "/rollouts"
            return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
                $0.hasSuffix(".json")
            }.sorted().compactMap {
                try? JSONParser.strict.parse(String(contentsOfFile: folder + "/" + $0, encoding: .utf8))
            }
        }

        func fleetEvents() -> [String] {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: stateDir)) ?? []).filter {
                $0.hasPrefix("fleet-events")
            }.sorted()
            return files.flatMap { file in
                ((try? String(contentsOfFile: stateDir + "/" + file, encoding: .utf8)) ?? "").split(separator: "\n")
                    .compactMap { (try? JSONParser.strict.parse(String($0)))?["event"]?.stringValue }
            }
        }
    }

    static var launches: String { buildsFolder + "/launches" }
    static let buildsFolder = NSTemporaryDirectory() + "fleet-upgrade-builds-\(getpid())"
    static let oldVersion = BuildInfo.version

    /// A stand-in build of `version`: `smokeFails` fails its peek (the upgrade smoke check), on
    /// every host or (`.marked`) on hosts whose HOME holds a file `FAIL_SMOKE`; `diesAfter`
    /// kills its serve that many seconds after it starts.
    enum SmokeFailure { case never, always, marked }
    func build(
        _ version: String, smokeFails: Bool = false, smoke: SmokeFailure = .never, diesAfter: Int? = nil
    ) throws -> String {
        let smoke = smokeFails ? .always : smoke
        let failSmoke = #"echo "boom: build \#(version) cannot read agent-runner.toml" >&2; exit 1"#
        let real = URL(fileURLWithPath: try Harness.binary("agent-runner")).resolvingSymlinksInPath().path
        let script = """
            #!/bin/sh
            if [ "$1" = "--version" ]; then echo "agent-runner \(version)"; exit 0; fi
            case " $* " in
              *" peek "*)
                \(smoke == .always ? failSmoke : smoke == .marked ? #"[ -f "$HOME/FAIL_SMOKE" ] && { \#(failSmoke); }"# : "")
                out=$('\(real)' "$@") || exit $?
                printf '%s\\n' "$out" | sed -e 's/"agent_runner_version" *: *"[^"]*"/"agent_runner_version": "\(version)"/' -e 's/"version" *: *"[^"]*"/"version": "\(version)"/'
                exit 0 ;;
              *" serve "*)
                \(diesAfter.map { "( sleep \($0); kill -9 $$ ) </dev/null >/dev/null 2>&1 &" } ?? ":") ;;
            esac
            echo "$$ \(version) $*" >> '\(Self.launches)'
            exec '\(real)' "$@"

            """
        let path = Self.buildsFolder + "/agent-runner-\(version)"
        try Harness.write(script, to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    /// Hosts named `names`, each initialised, on the real build through its bin_link, serving.
    func makeFleet(_ names: [String]) throws -> Fleet {
        try FileManager.default.createDirectory(atPath: Self.buildsFolder, withIntermediateDirectories: true)
        let root = try Harness.temporaryDirectory(self)
        let sshd = try LoopbackSSHD(aliases: names)
        addTeardownBlock { sshd.shutdown() }
        let real = URL(fileURLWithPath: try Harness.binary("agent-runner")).resolvingSymlinksInPath().path
        var nodes: [String: Node] = [:]
        var inventory = """
            [defaults]
            ssh_config = "\(sshd.clientConfig)"
            state_dir = "\(root)/state"
            connection_reuse = false

            """
        for name in names {
            let host = try LifecycleHost(self)
            addTeardownBlock { host.cleanUp() }
            let node = Node(host: host)
            try host.initProject()
            try host.appendConfig(
                """
                [upgrade]
                versions_dir = "\(node.versions)"
                bin_link = "\(node.link)"
                """)
            XCTAssertEqual(try host.run(["upgrade", "--from", real]).code, 0)
            let started = try host.run(["start"], executable: node.link)
            XCTAssertEqual(started.code, 0, started.stderr)
            // ssh logs in with root's environment: the wrapper gives agent-runner the host's own.
            let exports = host.environment.sorted { $0.key < $1.key }.map { "export \($0.key)='\($0.value)'" }.joined(
                separator: "\n")
            let wrapper = host.root + "/agent-runner-over-ssh"
            try Harness.write("#!/bin/sh\n\(exports)\ncd '\(host.project)'\nexec '\(node.link)' \"$@\"\n", to: wrapper)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
            inventory += """
                [hosts.\(name)]
                agent_runner = "\(wrapper)"
                config = "\(host.project)/agent-runner.toml"

                """
            nodes[name] = node
        }
        let fleet = Fleet(sshd: sshd, nodes: nodes, root: root)
        try Harness.write(inventory, to: fleet.inventory)
        return fleet
    }

    func assertOn(
        _ version: String, _ node: Node, running: Bool = true, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(node.linkTarget, node.versions + "/\(version)/agent-runner", file: file, line: line)
        guard running else { return }
        guard let pid = node.host.servePID() else {
            return XCTFail("the service is not running", file: file, line: line)
        }
        XCTAssertEqual(
            node.launchedVersion(of: pid) ?? Self.oldVersion, version, "serve runs on \(version)", file: file,
            line: line)
    }

    func testDryRunChangesNothingThenAGoodBuildRollsOutCanaryThenBatches() throws {
        let fleet = try makeFleet(["alpha", "beta", "gamma"])
        let good = try build("7.1.0")
        let pids = fleet.nodes.mapValues { $0.host.servePID() }

        let dry = try fleet.fleetctl([
            "upgrade", "all", "--artifact", good, "--canary", "alpha", "--batch", "1", "--dry-run",
        ])
        XCTAssertEqual(dry.code, 0, dry.stderr)
        XCTAssertEqual(
            dry.stdout,
            """
            rollout to 7.1.0: 3 hosts in 3 stages
              canary: alpha
              batch 1: beta
              batch 2: gamma

            """ + (try buildLine("7.1.0", good)))
        for (name, node) in fleet.nodes {
            assertOn(Self.oldVersion, node)
            XCTAssertEqual(node.host.servePID(), pids[name] ?? nil, "\(name) untouched")
            XCTAssertFalse(FileManager.default.fileExists(atPath: node.versions + "/7.1.0"))
        }
        XCTAssertEqual(fleet.journals(), [])

        let result = try fleet.fleetctl([
            "upgrade", "all", "--artifact", good, "--canary", "alpha", "--batch", "2", "--bake", "2s",
            "--gate-interval", "0.5", "--json",
        ])
        XCTAssertEqual(result.code, 0, result.stderr)
        let steps = result.stdout.split(separator: "\n").compactMap { try? JSONParser.strict.parse(String($0)) }
        XCTAssertEqual(steps.first?["step"], "plan")
        XCTAssertEqual(
            steps.filter { $0["step"] == "stage_passed" }.map { $0["stage"]?.stringValue ?? "" }, ["canary", "batch 1"])
        XCTAssertEqual(steps.last?["step"], "finished")
        XCTAssertEqual(steps.last?["status"], "finished")
        for node in fleet.nodes.values { assertOn("7.1.0", node) }
        let journal = try XCTUnwrap(fleet.journals().first)
        XCTAssertEqual(journal["status"], "finished")
        XCTAssertEqual(journal["hosts"]?["gamma"]?["state"], "healthy")
        XCTAssertEqual(
            fleet.fleetEvents(),
            ["rollout_started", "rollout_stage_passed", "rollout_stage_passed", "rollout_finished"])
        let listed = try fleet.fleetctl(["rollouts"])
        XCTAssertEqual(listed.code, 0, listed.stderr)
        XCTAssertTrue(listed.stdout.contains("finished  7.1.0  done  3 healthy"), listed.stdout)

        let again = try fleet.fleetctl(["upgrade", "all", "--artifact", good, "--canary", "alpha"])
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertTrue(
            again.stderr.hasSuffix("fleetctl: nothing to upgrade: no selected host needs 7.1.0\n"), again.stderr)
        XCTAssertEqual(fleet.journals().count, 1, "a rollout with nothing to do writes no journal")
    }

    func testABuildFailingSmokeStopsAtTheCanaryAndTouchesNoOtherHost() throws {
        let fleet = try makeFleet(["alpha", "beta"])
        let bad = try build("7.2.0", smokeFails: true)
        let betaPID = fleet.nodes["beta"]?.host.servePID()
        let result = try fleet.fleetctl([
            "upgrade", "all", "--artifact", bad, "--canary", "alpha", "--bake", "2s", "--gate-interval", "0.5",
        ])
        XCTAssertEqual(result.code, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("alpha: upgrade failed"), result.stderr)
        XCTAssertTrue(result.stderr.contains("rollout "), result.stderr)
        let alpha = try XCTUnwrap(fleet.nodes["alpha"])
        let beta = try XCTUnwrap(fleet.nodes["beta"])
        assertOn(Self.oldVersion, alpha)
        assertOn(Self.oldVersion, beta)
        XCTAssertEqual(beta.host.servePID(), betaPID, "beta's service was not touched")
        XCTAssertFalse(FileManager.default.fileExists(atPath: beta.versions + "/7.2.0"), "nothing was pushed to beta")
        let journal = try XCTUnwrap(fleet.journals().first)
        XCTAssertEqual(journal["status"], "failed")
        XCTAssertEqual(journal["hosts"]?["beta"]?["state"], "pending")
        XCTAssertEqual(journal["hosts"]?["alpha"]?["state"], "rolled_back")
        XCTAssertEqual(
            fleet.fleetEvents(), ["rollout_started", "rollout_host_failed", "rollout_rolled_back", "rollout_finished"])
    }

    func testAServiceThatDiesDuringTheBakeIsRolledBackAtTheGate() throws {
        let fleet = try makeFleet(["alpha", "beta"])
        let fragile = try build("7.3.0", diesAfter: 4)
        let result = try fleet.fleetctl([
            "upgrade", "all", "--artifact", fragile, "--canary", "alpha", "--bake", "9s", "--gate-interval", "0.5",
        ])
        XCTAssertEqual(result.code, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("alpha: health gate failed: its service is not running"), result.stderr)
        XCTAssertTrue(
            result.stderr.contains("alpha: rolled back: back on \(Self.oldVersion), service started again"),
            result.stderr)
        let alpha = try XCTUnwrap(fleet.nodes["alpha"])
        assertOn(Self.oldVersion, alpha)
        assertOn(Self.oldVersion, try XCTUnwrap(fleet.nodes["beta"]))
        XCTAssertEqual(try XCTUnwrap(fleet.journals().first)["hosts"]?["alpha"]?["state"], "rolled_back")
    }

    func testAKilledRolloutResumesFromTheHostsRealState() throws {
        let fleet = try makeFleet(["alpha", "beta", "gamma"])
        let good = try build("7.4.0")
        var env = ProcessRequest.currentEnvironment()
        env["FLEETCTL_INVENTORY"] = ""
        let running = try PosixProcessRunner().spawn(
            ProcessRequest(
                try Harness.binary("fleetctl"),
                arguments: [
                    "--inventory", fleet.inventory, "upgrade", "all", "--artifact", good, "--canary", "alpha",
                    "--batch", "2", "--bake", "6s", "--gate-interval", "0.5",
                ],
                environment: env, standardOutput: .discard, standardError: .appendToFile(fleet.root + "/killed.log"),
                grouping: .newProcessGroup, deadline: .now + .seconds(120)))
        // Kill it mid-batch: batch 1 upgraded, its bake under way.
        let deadline = ContinuousClock.now + .seconds(90)
        var journal: JSONValue?
        while ContinuousClock.now < deadline {
            journal = fleet.journals().first
            if journal?["current_stage"] == 1, journal?["hosts"]?["beta"]?["state"] == "upgraded",
                journal?["hosts"]?["gamma"]?["state"] == "upgraded"
            {
                break
            }
            usleep(100_000)
        }
        _ = try running.signalGroup(SIGKILL)
        _ = running.wait()
        let id = try XCTUnwrap(journal?["id"]?.stringValue)
        XCTAssertEqual(journal?["status"], "running")
        XCTAssertEqual(journal?["hosts"]?["alpha"]?["state"], "healthy")

        let resumed = try fleet.fleetctl(["upgrade", "--resume", id, "--gate-interval", "0.5", "--json"])
        XCTAssertEqual(resumed.code, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains(#""step":"rechecked""#), resumed.stdout)
        XCTAssertFalse(
            resumed.stdout.contains(#""step":"host_upgraded""#),
            "hosts already on the target are not pushed again: \(resumed.stdout)")
        for node in fleet.nodes.values { assertOn("7.4.0", node) }
        XCTAssertEqual(fleet.journals().first?["status"], "finished")
        let again = try fleet.fleetctl(["upgrade", "--resume", id])
        XCTAssertEqual(again.code, 1)
        XCTAssertTrue(again.stderr.contains("is finished; nothing to resume"), again.stderr)
    }
}
