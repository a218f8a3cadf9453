import FleetCore
import Foundation
import XCTest

/// A fleet on loopback for fleetctl end-to-end tests: one real sshd with an ssh alias per host,
/// an inventory pointing at it, a state directory, and a hook script that records each call.
///
/// The remote `agent-runner` is the real one this build produced: fleetctl runs its
/// `peek --json`, `stop`, `kill`, `start`, `restart` and `events` over ssh against projects the
/// real `agent-runner serve` runs with the fake agent.
final class FleetFixture {
    let sshd: LoopbackSSHD
    let root: String
    let stateDir: String
    /// The `agent-runner` the hosts run.
    let agentRunner: String
    let hookScript: String
    let hookCalls: String

    init(_ test: XCTestCase, hosts: [String]) throws {
        sshd = try LoopbackSSHD(aliases: hosts)
        let sshd = self.sshd
        test.addTeardownBlock { sshd.shutdown() }
        root = try Harness.temporaryDirectory(test)
        stateDir = root + "/state"
        agentRunner = try Harness.binary("agent-runner")
        hookCalls = root + "/hook-calls.jsonl"
        hookScript = root + "/hook.sh"
        try "#!/bin/sh\nline=\"$(cat)\"\nprintf '%s\\n' \"$line\" >> '\(hookCalls)'\nprintf '%s %s %s %s\\n' \"$FLEET_HOST\" \"$FLEET_DETECTOR\" \"$FLEET_STATE\" \"$1\" >> '\(hookCalls).env'\n"
            .write(toFile: hookScript, atomically: true, encoding: .utf8)
        chmod(hookScript, 0o755)
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
        try PosixProcessRunner().spawn(ProcessRequest(
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
        ((try? String(contentsOfFile: hookCalls + ".env", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
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
