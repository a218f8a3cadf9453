import FleetCore
import Foundation
import TestSupport
import XCTest

/// A fleet on loopback for fleetctl end-to-end tests: one real sshd with an ssh alias per host,
/// each host logging in as its own unix user (`fleet-e2e-1`, `fleet-e2e-2`, ... in the order of
/// `hosts`), an inventory pointing at it, a state directory, and a hook script that records each
/// call. fleetctl and the hooks run as the test process (the operator); everything on a "host"
/// runs as that host's user.
///
/// The remote `agent-runner` is the real one this build produced, copied where every user can
/// execute it: fleetctl runs its `peek --json`, `stop`, `kill`, `start`, `restart` and `events`
/// over ssh against projects (``project(_:on:modes:runtime:root:)``) that the host's user owns and
/// in which the real `agent-runner serve` runs as that user with the fake agent.
///
/// Needs root, to create the users and run serve as them: without it `init` throws, so the tests
/// fail rather than skip. The users stay between runs; their processes are killed when the test ends.
final class FleetFixture {
    typealias Failure = TestUser.Failure

    let sshd: LoopbackSSHD
    let root: String
    let stateDir: String
    /// The `agent-runner` the hosts run: the build's, copied into ``root`` (mode 0755), since the
    /// build directory may sit where other users cannot reach (a checkout under /root).
    let agentRunner: String
    let hookScript: String
    let hookCalls: String
    /// host → its login user.
    let users: [String: TestUser]

    init(_ test: XCTestCase, hosts: [String]) throws {
        guard geteuid() == 0 else {
            throw Failure(
                description:
                    "the fleet end-to-end tests need root: each host logs in as its own unix user (fleet-e2e-N), "
                    + "which they create with useradd, and runs its serve as that user; run them as root, as CI does (scripts/test)"
            )
        }
        let lock = try TestUserLock()
        let users = try hosts.indices.map { try TestUser.ensure("fleet-e2e-\($0 + 1)") }
        self.users = Dictionary(uniqueKeysWithValues: zip(hosts, users))
        // A previous run that crashed may have left processes of these users running.
        for user in users { user.killProcesses() }
        sshd = try LoopbackSSHD(aliases: hosts, users: self.users.mapValues(\.name))
        let sshd = self.sshd
        test.addTeardownBlock {
            sshd.shutdown()
            for user in users { user.killProcesses() }
            lock.release()
        }
        root = try Harness.temporaryDirectory(test)
        chmod(root, 0o755)
        stateDir = root + "/state"
        agentRunner = root + "/bin/agent-runner"
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try Harness.binary("agent-runner"), toPath: agentRunner)
        chmod(agentRunner, 0o755)
        hookCalls = root + "/hook-calls.jsonl"
        hookScript = root + "/hook.sh"
        try
            "#!/bin/sh\nline=\"$(cat)\"\nprintf '%s\\n' \"$line\" >> '\(hookCalls)'\nprintf '%s %s %s %s\\n' \"$FLEET_HOST\" \"$FLEET_DETECTOR\" \"$FLEET_STATE\" \"$1\" >> '\(hookCalls).env'\n"
            .write(toFile: hookScript, atomically: true, encoding: .utf8)
        chmod(hookScript, 0o755)
        for host in hosts { try checkLogin(host) }
    }

    /// Logs in to `host` and runs `agent-runner --version` there, so a host its user cannot reach
    /// or a binary it cannot execute fails here, with what to fix, rather than as a puzzling alert.
    private func checkLogin(_ host: String) throws {
        let output = try ssh(host, [agentRunner, "--version"])
        guard output.exit.isSuccess else {
            throw Failure(
                description:
                    "\(host): `\(agentRunner) --version` as \(sshd.user(for: host)) over ssh failed (\(output.exit)): "
                    + "\(output.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))\nsshd log:\n\(sshd.log())")
        }
    }

    /// Runs `argv` on `host` over ssh (as its user), with a 30 s deadline.
    func ssh(_ host: String, _ argv: [String]) throws -> ProcessOutput {
        try PosixProcessRunner().run(
            ProcessRequest(
                "ssh", arguments: ["-F", sshd.clientConfig, "-o", "BatchMode=yes", host, "--"] + argv,
                standardInput: .null, deadline: .now + .seconds(30)))
    }

    /// The user `host` logs in as.
    func user(_ host: String) -> TestUser {
        guard let user = users[host] else {
            preconditionFailure("\(host) is not one of this fixture's hosts \(users.keys.sorted())")
        }
        return user
    }

    /// A project on `host`: owned by its user, who runs its serve (see ``AgentProject``).
    func project(
        _ test: XCTestCase, on host: String, modes: [String] = ["ok"], runtime: [String] = [], root: String? = nil
    ) throws -> AgentProject {
        try AgentProject(
            test, modes: modes, runtime: runtime, root: root,
            owner: AgentProject.Owner(user: user(host), agentRunner: agentRunner))
    }

    /// Writes `inventory.toml`: `[defaults]` reaching the loopback sshd with the real `agent-runner`, then `body`.
    @discardableResult
    func inventory(defaults: [String] = [], _ body: String) throws -> String {
        let path = root + "/inventory.toml"
        let text = """
            [defaults]
            ssh_config = "\(sshd.clientConfig)"
            agent_runner = "\(agentRunner)"
            state_dir = "\(stateDir)"
            poll_interval_s = 0.3
            poll_timeout_s = 10
            connect_timeout_s = 2
            \(defaults.joined(separator: "\n"))

            \(body)
            """
        try Harness.write(text, to: path)
        return path
    }

    /// Runs `fleetctl ARGS -i inventory.toml`.
    func fleetctl(_ arguments: [String], timeout: Duration = .seconds(90)) throws -> Harness.Result {
        try Harness.run("fleetctl", arguments + ["-i", root + "/inventory.toml"], timeout: timeout)
    }

    /// Starts `fleetctl ARGS -i inventory.toml` in the background.
    func startFleetctl(_ arguments: [String]) throws -> RunningProcess {
        try PosixProcessRunner().spawn(
            ProcessRequest(
                try Harness.binary("fleetctl"), arguments: arguments + ["-i", root + "/inventory.toml"],
                standardOutput: .capture(), standardError: .capture()))
    }

    /// The hook's calls: each the alert JSON it got on stdin.
    func hookCallDocuments() throws -> [JSONValue] {
        guard let text = try? String(contentsOfFile: hookCalls, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONParser.strict.parse(Array($0.utf8)) }
    }

    /// `FLEET_HOST FLEET_DETECTOR FLEET_STATE $1` of each hook call.
    func hookEnvironmentLines() -> [String] {
        ((try? String(contentsOfFile: hookCalls + ".env", encoding: .utf8)) ?? "").split(separator: "\n").map(
            String.init)
    }

    /// Events of fleetctl's own log (fleet-events-YYYY-MM.jsonl in the state directory).
    func fleetEvents() throws -> [Event] {
        try EventLogReader(directory: stateDir, prefix: "fleet-events").tail(limit: 100_000).reversed()
    }

    /// A `[hosts.NAME]` table for `project`.
    static func host(_ name: String, project: AgentProject, extra: String = "") -> String {
        "[hosts.\(name)]\nconfig = \"\(project.dir)/agent-runner.toml\"\n\(extra)\n"
    }
}
