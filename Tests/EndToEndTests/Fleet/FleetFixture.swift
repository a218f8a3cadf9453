import FleetCore
import Foundation
import XCTest

/// A fleet on loopback for fleetctl end-to-end tests: one real sshd with an ssh alias per host,
/// an inventory pointing at it, a state directory, and a hook script that records each call.
///
/// The remote `agent-runner` is a STAND-IN (Fixtures/agent-runner-standin.sh, bash + jq) that
/// answers `peek --json` from the project's event log, status.json and serve.pid, and
/// `stop|start|restart|kill|events` with pid-file semantics, while the real `agent-runner serve`
/// runs the project. Once `agent-runner peek --json` lands, point `agent_runner` at the real
/// binary (`Harness.binary("agent-runner")`) and these tests run unchanged.
final class FleetFixture {
    let sshd: LoopbackSSHD
    let root: String
    let stateDir: String
    let standIn: String
    let hookScript: String
    let hookCalls: String

    init(_ test: XCTestCase, hosts: [String]) throws {
        sshd = try LoopbackSSHD(aliases: hosts)
        let sshd = self.sshd
        test.addTeardownBlock { sshd.shutdown() }
        root = try Harness.temporaryDirectory(test)
        stateDir = root + "/state"
        let body = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/agent-runner-standin.sh").path, encoding: .utf8)
        standIn = sshd.directory + "/bin/agent-runner-standin"
        try ("#!/bin/bash\nREAL_AGENT_RUNNER=\(try Harness.binary("agent-runner"))\n" + body).write(toFile: standIn, atomically: true, encoding: .utf8)
        chmod(standIn, 0o755)
        hookCalls = root + "/hook-calls.jsonl"
        hookScript = root + "/hook.sh"
        try "#!/bin/sh\nline=\"$(cat)\"\nprintf '%s\\n' \"$line\" >> '\(hookCalls)'\nprintf '%s %s %s %s\\n' \"$FLEET_HOST\" \"$FLEET_DETECTOR\" \"$FLEET_STATE\" \"$1\" >> '\(hookCalls).env'\n"
            .write(toFile: hookScript, atomically: true, encoding: .utf8)
        chmod(hookScript, 0o755)
    }

    /// Writes `inventory.toml`: `[defaults]` reaching the loopback sshd with the stand-in, then `body`.
    @discardableResult
    func inventory(defaults: [String] = [], _ body: String) throws -> String {
        let path = root + "/inventory.toml"
        let text = """
            [defaults]
            ssh_config = "\(sshd.clientConfig)"
            agent_runner = "\(standIn)"
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

    /// A project with no serve running whose stand-in peek reports `disk` percent used.
    static func idleProject(_ test: XCTestCase, disk: Int) throws -> AgentProject {
        let project = try AgentProject(test)
        try Harness.write("\(disk)\n", to: project.logDir + "/fake_disk_pct")
        try FileManager.default.createDirectory(atPath: project.logDir, withIntermediateDirectories: true)
        return project
    }
}
