import FleetCore
import Foundation
import TestSupport
import XCTest

/// The event relay across tools, over a real loopback sshd, each host its own unix user: our
/// relay against a host running the real original 0.3.14, and the original's relay against a host
/// running ours. Both ways, dropping the link must leave nothing of ours on the host; what the
/// original leaves behind (§5 of notes/original.md) is pinned too.
final class RelayInteropTests: XCTestCase {
    /// Ours relays the original's `events --tail` (default kinds: the original's 71), prints the
    /// boundary event the original replays after a reconnect only once, and exits 0 on SIGTERM.
    /// The original's tails outlive their reader until they next write an event.
    func testOurRelayOnAHostRunningTheOriginal() throws {
        let fleet = try FleetFixture(self, hosts: ["pi1"])
        let host = try InteropProject(self, fleet: fleet, host: "pi1")
        let user = fleet.user("pi1")
        let home = try Harness.temporaryDirectory(self)
        var env = ProcessRequest.currentEnvironment()
        env["HOME"] = home
        env.removeValue(forKey: "AGENT_RUNNER_CONFIG")
        let relay = try RelayFixture.start(
            [
                try Harness.binary("agent-runner"), "monitor", "--host", "pi1", "--mode", "events", "--remote-config",
                host.config, "--agent-runner", host.original, "--ssh-config", fleet.sshd.clientConfig,
            ],
            environment: env, in: home)
        defer { _ = relay.process.terminate(grace: .seconds(2)) }
        AgentProject.wait("the original's events --tail on the host") { RelayFixture.tails(of: user).count == 1 }
        let first = try XCTUnwrap(RelayFixture.tails(of: user).first)
        let kinds = try XCTUnwrap(ProcessTree.commandLine(of: first.pid)?.drop { $0 != "--kind" }.dropFirst().first)
        XCTAssertEqual(kinds.split(separator: ",").count, 71)
        try relay.prime(logDir: host.logDir, owner: user)

        XCTAssertEqual(try host.run(.original, ["round"]).code, 0)
        relay.waitFor("round_end:1")
        let ssh = try XCTUnwrap(relay.sshChildren().first)
        kill(ssh.pid, SIGKILL)
        AgentProject.wait("the reconnect with --since") {
            RelayFixture.tails(of: user).contains { (ProcessTree.commandLine(of: $0.pid) ?? []).contains("--since") }
        }
        XCTAssertTrue(
            ProcessTree.isAlive(first.pid), "the original's tail outlives its dropped reader (no event since)")

        XCTAssertEqual(try host.run(.original, ["round"]).code, 0)
        relay.waitFor("round_end:2")
        XCTAssertEqual(relay.relayed(), ["round_start:1", "round_end:1", "round_start:2", "round_end:2"])
        XCTAssertEqual(
            relay.lines.count, Set(relay.lines).count, "no line twice, though the original replays the boundary")
        XCTAssertLessThan(
            RelayFixture.waitUntilGone([first.pid]), .seconds(5), "the original's orphan died at its next write")

        let second = RelayFixture.tails(of: user).map(\.pid)
        XCTAssertTrue(try relay.process.signal(SIGTERM))
        XCTAssertEqual(relay.process.wait(), .terminated(0))
        XCTAssertEqual(relay.sshChildren(), [])
        usleep(1_500_000)
        XCTAssertEqual(
            RelayFixture.tails(of: user).map(\.pid), second, "the original's tail lingers until its next event")
        XCTAssertEqual(try host.run(.original, ["round"]).code, 0)
        XCTAssertLessThan(RelayFixture.waitUntilGone(second), .seconds(5))
    }

    /// The original's relay (`agent-runner monitor --host pi1 --mode events`, as its own user with
    /// the local agent-runner.toml it needs) against our agent-runner on the host: ours takes its
    /// 71 kinds and its `--since`, and every way the link goes leaves no tail of ours on the host,
    /// without waiting for an event.
    func testTheOriginalsRelayOnAHostRunningOurs() throws {
        let fleet = try FleetFixture(self, hosts: ["pi1", "pi2"])
        let host = try InteropProject(self, fleet: fleet, host: "pi1")
        let hostUser = fleet.user("pi1")
        let client = try OriginalRelayClient(self, fleet: fleet, user: fleet.user("pi2"), host: host)
        let relay = try client.start()
        defer { _ = relay.process.terminate(grace: .seconds(2)) }
        AgentProject.wait("our events --tail on the host") { RelayFixture.tails(of: hostUser).count == 1 }
        let first = try XCTUnwrap(RelayFixture.tails(of: hostUser).first)
        try relay.prime(logDir: host.logDir, owner: hostUser)

        XCTAssertEqual(try host.run(.ours, ["round"]).code, 0)
        relay.waitFor("round_end:1")

        // Drop the link: kill the original relay's ssh. Our tail ends within the bound, no event needed.
        let ssh = try XCTUnwrap(client.sshProcesses().first, "the original relay's ssh")
        kill(ssh.pid, SIGKILL)
        XCTAssertLessThan(RelayFixture.waitUntilGone([first.pid]), .seconds(3), "our tail ended when its reader went")
        AgentProject.wait("the original's reconnect with --since") {
            RelayFixture.tails(of: hostUser).contains {
                (ProcessTree.commandLine(of: $0.pid) ?? []).contains("--since")
            }
        }
        XCTAssertEqual(try host.run(.ours, ["round"]).code, 0)
        relay.waitFor("round_end:2")
        XCTAssertGreaterThan(
            relay.lines.count, Set(relay.lines).count, "the original prints the replayed boundary again")
        let argv = client.sshArgv()
        XCTAssertEqual(argv.count, 2, "\(argv)")
        XCTAssertFalse(argv.first?.contains("--since") ?? true)
        XCTAssertTrue(argv.last?.contains("--since 20") ?? false, "\(argv)")
        XCTAssertTrue(argv.first?.contains(" --kind agent_auth_error_detected,agent_exit,") ?? false, "\(argv)")
        XCTAssertEqual(try client.events().map(\.kind), ["monitor_remote_blip"])

        // The original's relay ends (SIGTERM: it kills its ssh, exit 0): nothing of ours stays on the host.
        let second = RelayFixture.tails(of: hostUser).map(\.pid)
        XCTAssertTrue(try relay.process.signal(SIGTERM))
        XCTAssertEqual(relay.process.wait(), .terminated(0))
        XCTAssertLessThan(RelayFixture.waitUntilGone(second), .seconds(3))
        XCTAssertEqual(RelayFixture.tails(of: hostUser), [], "no agent-runner left on the host")
    }
}

/// The original's relay as an operator machine would run it: its own unix user, a working
/// directory holding the agent-runner.toml it insists on (its log_dir gets the blips), and `ssh`
/// on PATH a wrapper that logs the argv (as the recorded harness's ssh-argv-logger did), uses the
/// fixture's client config (a copy this user can read), and runs the host's command with the
/// directory of our agent-runner first on PATH (the host's non-interactive PATH has no
/// ~/.local/bin, the original's pitfall).
final class OriginalRelayClient {
    let user: TestUser
    let host: InteropProject
    let dir: String

    init(_ test: XCTestCase, fleet: FleetFixture, user: TestUser, host: InteropProject) throws {
        self.user = user
        self.host = host
        dir = URL(fileURLWithPath: try Harness.temporaryDirectory(test)).resolvingSymlinksInPath().path
        chmod(dir, 0o755)
        for path in [dir + "/bin", dir + "/home", dir + "/prompts", host.root + "/hostbin"] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        // Our agent-runner where the host's user finds it.
        try FileManager.default.copyItem(atPath: fleet.agentRunner, toPath: host.root + "/hostbin/agent-runner")
        chmod(host.root + "/hostbin/agent-runner", 0o755)
        try host.user.own(host.root + "/hostbin", recursive: true)
        // The client's own key and known_hosts, and a config naming them.
        for name in ["client_key", "known_hosts"] {
            try FileManager.default.copyItem(atPath: fleet.sshd.directory + "/" + name, toPath: dir + "/" + name)
            chmod(dir + "/" + name, 0o600)
        }
        let config = try String(contentsOfFile: fleet.sshd.clientConfig, encoding: .utf8)
            .replacingOccurrences(of: fleet.sshd.clientKey, with: dir + "/client_key")
            .replacingOccurrences(of: fleet.sshd.knownHosts, with: dir + "/known_hosts")
        try Harness.write(config, to: dir + "/ssh_config")
        try Harness.write(
            """
            #!/bin/sh
            printf '%s\\n' "$*" >> '\(dir)/ssh-argv.log'
            host=$1; shift; [ "$1" = "--" ] && shift
            exec /usr/bin/ssh -F '\(dir)/ssh_config' -o BatchMode=yes "$host" -- \\
              env PATH='\(host.root)/hostbin':/usr/bin:/bin "$@"

            """, to: dir + "/bin/ssh")
        chmod(dir + "/bin/ssh", 0o755)
        let hostConfig = try String(contentsOfFile: host.config, encoding: .utf8)
        try Harness.write(
            hostConfig.replacingOccurrences(of: host.dir, with: dir)
                .replacingOccurrences(of: "[monitor]\n", with: "[monitor]\nremote_failure_tolerance_s = 30\n"),
            to: dir + "/agent-runner.toml")
        try FileManager.default.copyItem(atPath: host.dir + "/prompts/main.md", toPath: dir + "/prompts/main.md")
        try user.own(dir, recursive: true)
        test.addTeardownBlock { [user] in user.killProcesses() }
    }

    /// Starts the original's `monitor --host pi1 --mode events --remote-config <host config>`.
    func start() throws -> RelayFixture.Relay {
        var env = user.environment(ProcessRequest.currentEnvironment())
        env.removeValue(forKey: "AGENT_RUNNER_CONFIG")
        env.merge([
            "HOME": dir + "/home", "PATH": dir + "/bin:/usr/bin:/bin", "PYTHONPATH": "", "PYTHONHOME": "",
            "VIRTUAL_ENV": "",
        ]) { _, new in new }
        return try RelayFixture.start(
            try user.command([
                host.original, "monitor", "--host", "pi1", "--mode", "events", "--remote-config", host.config,
            ]),
            environment: env, in: dir)
    }

    /// The ssh processes of the client's user (the wrapper execs ssh).
    func sshProcesses() -> [ProcessTree.Entry] {
        user.processes().filter { ProcessTree.commandLine(of: $0.pid)?.first == "/usr/bin/ssh" }
    }

    /// The argv of each ssh run, one line each.
    func sshArgv() -> [String] {
        ((try? String(contentsOfFile: dir + "/ssh-argv.log", encoding: .utf8)) ?? "").split(separator: "\n").map(
            String.init)
    }

    /// The client log dir's events (the original's blips).
    func events() throws -> [Event] {
        try EventLogReader(directory: dir + "/logs").tail(limit: 1000).reversed()
    }
}
