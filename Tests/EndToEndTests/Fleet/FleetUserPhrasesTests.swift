import FleetCore
import Foundation
import TestSupport
import XCTest

/// The words the people this is built for use, run as written: "`fleetctl watch` from a separate
/// machine, `fleetctl upgrade --canary pi`, alert hooks to shell commands, single-host
/// `agent-runner serve` on each node". The operator is its own unix user (its own ssh key copy,
/// inventory, state and hook log, reached through FLEETCTL_INVENTORY so the command lines stay
/// exactly those words); each host, one of them named `pi`, is a loopback login of its own user
/// running the real `agent-runner serve` (see FleetFixture).
final class FleetUserPhrasesTests: XCTestCase {
    func testWatchUpgradeCanaryPiShellHookAndServeOnEachHostWorkAsWritten() throws {
        let fleet = try FleetFixture(self, hosts: ["pi", "pi2"])
        let operatorUser = try TestUser.ensure("fleet-e2e-operator")
        addTeardownBlock { operatorUser.killProcesses() }
        let desk = try OperatorDesk(fleet: fleet, user: operatorUser)

        // A new build: a stand-in that reports 9.0.0 and runs the real agent-runner.
        let build = fleet.root + "/builds/agent-runner-9.0.0"
        try Harness.write(
            """
            #!/bin/sh
            if [ "$1" = "--version" ]; then echo "agent-runner 9.0.0"; exit 0; fi
            case " $* " in
              *" peek "*)
                out=$('\(fleet.agentRunner)' "$@") || exit $?
                printf '%s\\n' "$out" | sed -e 's/"agent_runner_version" *: *"[^"]*"/"agent_runner_version": "9.0.0"/' -e 's/"version" *: *"[^"]*"/"version": "9.0.0"/'
                exit 0 ;;
            esac
            exec '\(fleet.agentRunner)' "$@"

            """, to: build)
        chmod(fleet.root + "/builds", 0o755)
        chmod(build, 0o755)

        // Each host: a project of its user with an [upgrade] layout, on the real build, serving.
        var inventory = """
            [defaults]
            ssh_config = "\(desk.sshConfig)"
            state_dir = "\(desk.stateDir)"
            poll_interval_s = 0.3
            poll_timeout_s = 10
            connect_timeout_s = 2
            [defaults.detectors]
            window = 3
            [defaults.auto_stop]
            enabled = false

            """
        var links: [String: String] = [:]
        var serves: [String: RunningProcess] = [:]
        let modes = ["pi": ["slow"], "pi2": ["ok", "auth", "slow"]]
        for host in ["pi", "pi2"] {
            let user = fleet.user(host)
            let root = try Harness.temporaryDirectory(self)
            for folder in ["versions", "links"] {
                try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
                try user.own(root + "/" + folder)
            }
            let project = try AgentProject(
                self, modes: modes[host] ?? [],
                extra: "[upgrade]\nversions_dir = \"\(root)/versions\"\nbin_link = \"\(root)/links/agent-runner\"\n",
                root: root, owner: .init(user: user, agentRunner: fleet.agentRunner))
            let installed = try project.run(["upgrade", "--from", fleet.agentRunner])
            XCTAssertEqual(installed.code, 0, installed.stderr)
            links[host] = root + "/links/agent-runner"
            inventory += """
                [hosts.\(host)]
                agent_runner = "\(root)/links/agent-runner"
                config = "\(project.dir)/agent-runner.toml"

                """
            // Phrase 4: single-host `agent-runner serve` on each node, as that node's user.
            let serve = try project.startServe()
            serves[host] = serve
            addTeardownBlock { _ = serve.terminate(grace: Duration.seconds(5)) }
            XCTAssertTrue(user.processes().contains { $0.pid == serve.pid }, "\(host)'s serve runs as \(user)")
        }
        // Phrase 3: an alert hook that is a shell command.
        inventory += """
            [[hooks]]
            command = ["sh", "-c", "echo \\"$FLEET_HOST $FLEET_DETECTOR $FLEET_STATE\\" >> '\(desk.hookLog)'"]

            [upgrade]
            artifact = "\(build)"
            bake = "2s"

            """
        try desk.write(inventory, to: desk.inventory)

        // Phrase 1: `fleetctl watch`, run by the operator's own user.
        let watch = try desk.start("fleetctl watch")
        defer { _ = watch.terminate(grace: .seconds(5)) }
        AgentProject.wait("pi2's oauth_fail to reach the shell hook", timeout: 60) {
            desk.hookLines().contains("pi2 oauth_fail firing")
        }
        let watcher = try XCTUnwrap(
            ProcessTree.snapshot().first {
                !$0.isZombie && ProcessTree.commandLine(of: $0.pid) == ["fleetctl", "watch"]
            })
        XCTAssertEqual(ProcessTree.userID(of: watcher.pid), operatorUser.uid, "watch runs as the operator")
        XCTAssertEqual(try desk.owner(of: desk.hookLog), operatorUser.uid, "the hook ran as the operator")

        // Phrase 2: `fleetctl upgrade --canary pi` (with --yes: no terminal here), while watch goes on.
        let upgrade = try desk.run("fleetctl upgrade --canary pi --yes")
        XCTAssertEqual(upgrade.exit, .terminated(0), upgrade.stderrText)
        XCTAssertTrue(
            upgrade.stderrText.hasPrefix("rollout to 9.0.0: 2 hosts in 2 stages\n  canary: pi\n  batch 1: pi2\n"),
            upgrade.stderrText)
        for host in ["pi", "pi2"] {
            let link = try XCTUnwrap(links[host])
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: link)
            XCTAssertTrue(target.hasSuffix("/versions/9.0.0/agent-runner"), "\(host): \(target)")
            XCTAssertNotNil(serves[host]?.poll(), "\(host)'s first serve was stopped for the upgrade")
            let running = fleet.user(host).processes().filter {
                (ProcessTree.commandLine(of: $0.pid) ?? []).contains("serve")
            }
            XCTAssertFalse(running.isEmpty, "\(host) serves again, as its user, on the new build")
        }
        let journals = try FileManager.default.contentsOfDirectory(atPath: desk.stateDir + "/rollouts").filter {
            $0.hasSuffix(".json")
        }
        XCTAssertEqual(journals.count, 1)
        XCTAssertEqual(try desk.owner(of: desk.stateDir + "/rollouts/" + journals[0]), operatorUser.uid)

        XCTAssertNil(watch.poll(), "watch kept running through the rollout")
        // SIGTERM to fleetctl itself (its `sh -c` waits for it and passes its exit on).
        XCTAssertEqual(kill(watcher.pid, SIGTERM), 0)
        let watched = watch.collectOutput(deadline: .now + .seconds(20))
        XCTAssertEqual(watched.exit, .terminated(0), watched.stderrText)
        XCTAssertTrue(watched.stdoutText.contains("pi2 oauth_fail"), watched.stdoutText + watched.stderrText)
    }
}

/// The operator's side of the fleet as its own user: a folder only it can read, holding a copy of
/// fleetctl, its ssh key, known_hosts and ssh_config (ssh refuses a private key of another user),
/// the inventory, the state directory and the hook's log; commands run as it through `sh -c`.
struct OperatorDesk {
    let user: TestUser
    let folder: String
    var sshConfig: String { folder + "/ssh_config" }
    var stateDir: String { folder + "/state" }
    var hookLog: String { folder + "/hooks.log" }
    var inventory: String { folder + "/inventory.toml" }

    init(fleet: FleetFixture, user: TestUser) throws {
        self.user = user
        folder = fleet.root + "/operator"
        try FileManager.default.createDirectory(atPath: folder + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try Harness.binary("fleetctl"), toPath: folder + "/bin/fleetctl")
        try FileManager.default.copyItem(atPath: fleet.sshd.clientKey, toPath: folder + "/id")
        try FileManager.default.copyItem(atPath: fleet.sshd.knownHosts, toPath: folder + "/known_hosts")
        let config = try String(contentsOfFile: fleet.sshd.clientConfig, encoding: .utf8)
            .replacingOccurrences(of: fleet.sshd.clientKey, with: folder + "/id")
            .replacingOccurrences(of: fleet.sshd.knownHosts, with: folder + "/known_hosts")
        try config.write(toFile: sshConfig, atomically: true, encoding: .utf8)
        chmod(folder + "/id", 0o600)
        chmod(folder + "/bin/fleetctl", 0o755)
        try user.own(folder, recursive: true)
        chmod(folder, 0o700)
    }

    func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try user.own(path)
    }

    /// `sh -c COMMAND` as the operator, in its folder, with its copy of fleetctl first on PATH
    /// and FLEETCTL_INVENTORY naming its inventory.
    private func request(_ command: String) throws -> ProcessRequest {
        var env = user.environment(ProcessRequest.currentEnvironment())
        env["PATH"] = folder + "/bin:/usr/bin:/bin"
        env["FLEETCTL_INVENTORY"] = inventory
        let argv = try user.command(["sh", "-c", command])
        return ProcessRequest(
            argv[0], arguments: Array(argv.dropFirst()), environment: env, workingDirectory: folder,
            standardInput: .null, standardOutput: .capture(), standardError: .capture(),
            deadline: .now + .seconds(300))
    }

    func run(_ command: String) throws -> ProcessOutput {
        try PosixProcessRunner().run(try request(command))
    }

    func start(_ command: String) throws -> RunningProcess {
        try PosixProcessRunner().spawn(try request(command))
    }

    func hookLines() -> [String] {
        ((try? String(contentsOfFile: hookLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func owner(of path: String) throws -> uid_t? {
        (try FileManager.default.attributesOfItem(atPath: path)[.ownerAccountID] as? NSNumber)?.uint32Value
    }
}
