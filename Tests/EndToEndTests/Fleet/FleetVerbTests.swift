import FleetCore
import Foundation
import XCTest

/// fleetctl's one-shot verbs and `agent-runner monitor --host` end to end against a real sshd,
/// with the stand-in remote `agent-runner` (see FleetFixture).
final class FleetVerbTests: XCTestCase {
    func testStopStartWithPartialFailureStatusEventsAndPeek() throws {
        let fleet = try FleetFixture(self, hosts: ["pi1", "pi2"])
        let project = try AgentProject(self, modes: ["slow"])
        let broken = try fleet.sshd.writeScript("agent-runner-broken", "echo 'agent-runner: restart requires a systemd-user service' >&2; exit 1")
        try fleet.inventory("""
            \(FleetFixture.host("pi1", project: project))
            \(FleetFixture.host("pi2", project: project, extra: "agent_runner = \"\(broken)\""))
            """)
        let serve = try project.startServe()
        defer { _ = serve.terminate(grace: .seconds(5)) }
        AgentProject.wait("serve's pid file") { FileManager.default.fileExists(atPath: project.logDir + "/serve.pid") }

        let status = try fleet.fleetctl(["status", "--json"])
        XCTAssertEqual(status.code, 1, "pi2 cannot be read")
        let rows = try status.stdout.split(separator: "\n").map { try JSONParser.strict.parse(Array($0.utf8)) }
        XCTAssertEqual(rows.map { $0["host"] }, ["pi1", "pi2"])
        XCTAssertEqual(rows[0]["reachable"], true)
        XCTAssertEqual(rows[0]["service"], "running")
        XCTAssertEqual(rows[0]["error"], .null)
        XCTAssertEqual(rows[0]["alerts"], [])
        XCTAssertEqual(rows[1]["reachable"], true)
        XCTAssertTrue(rows[1]["error"]?.stringValue?.contains("restart requires") ?? false, status.stdout)
        for key in ["host", "reachable", "service", "round", "version", "alerts", "error"] {
            XCTAssertNotNil(rows[0][key], key)
        }
        XCTAssertEqual(try fleet.fleetctl(["status", "pi1"]).code, 0)

        let stop = try fleet.fleetctl(["stop", "all"])
        XCTAssertEqual(stop.code, 1, "partial failure")
        XCTAssertTrue(stop.stdout.contains("pi1: stop ok (service stopped)"), stop.stdout)
        XCTAssertTrue(stop.stderr.contains("pi2: stop failed"), stop.stderr)
        XCTAssertTrue(stop.stderr.contains("failed on 1 of 2 hosts"), stop.stderr)
        AgentProject.wait("serve to exit") { serve.poll() != nil }

        let start = try fleet.fleetctl(["start", "pi1", "--json"], timeout: .seconds(30))
        XCTAssertEqual(start.code, 0, start.stderr)
        XCTAssertEqual(try JSONParser.strict.parse(Array(start.stdout.utf8))["service"], "running")
        XCTAssertEqual(try fleet.fleetctl(["peek", "pi1", "--select", "service.active"]).stdout, "true\n")
        let stopAgain = try fleet.fleetctl(["stop", "pi1"])
        XCTAssertEqual(stopAgain.code, 0, stopAgain.stderr)

        let events = try fleet.fleetctl(["events", "pi1", "--kind", "serve_started,serve_stopped", "--since", "2000-01-01T00:00:00.000Z"])
        XCTAssertEqual(events.code, 0, events.stderr)
        let merged = try events.stdout.split(separator: "\n").map { try JSONParser.strict.parse(Array($0.utf8)) }
        XCTAssertGreaterThanOrEqual(merged.count, 2)
        XCTAssertTrue(merged.allSatisfy { $0["host"] == "pi1" })
        XCTAssertEqual(try fleet.fleetctl(["events", "all", "--kind", "serve_started"]).code, 1, "pi2's events cannot be read")

        let check = try fleet.fleetctl(["check"])
        XCTAssertEqual(check.code, 0, check.stderr)
        XCTAssertTrue(check.stdout.contains("ssh hygiene"), check.stdout)
    }

    func testAgentRunnerMonitorHost() throws {
        let fleet = try FleetFixture(self, hosts: ["pi"])
        let project = try AgentProject(self, modes: ["slow"])
        let stateDir = fleet.root + "/monitor-state"
        func monitor(_ extra: [String], config: String = project.dir + "/agent-runner.toml") throws -> Harness.Result {
            try Harness.run("agent-runner", ["monitor", "--host", "pi", "--ssh-config", fleet.sshd.clientConfig, "--config", config,
                                             "--agent-runner", fleet.standIn, "--state-dir", stateDir, "--interval", "0.3"] + extra)
        }
        let serve = try project.startServe()
        defer { _ = serve.terminate(grace: .seconds(5)) }
        AgentProject.wait("serve's pid file") { FileManager.default.fileExists(atPath: project.logDir + "/serve.pid") }

        let check = try monitor(["--check"])
        XCTAssertEqual(check.code, 0, check.stderr)
        XCTAssertTrue(check.stdout.contains("pi"), check.stdout)

        let once = try monitor(["--once", "--json"])
        XCTAssertEqual(once.code, 0, once.stderr + once.stdout)
        XCTAssertEqual(try JSONParser.strict.parse(Array(once.stdout.utf8))["service"], "running")

        try Harness.write("97\n", to: project.logDir + "/fake_disk_pct")
        let alerting = try monitor(["--cycles", "3"])
        XCTAssertEqual(alerting.code, 0, alerting.stderr)
        XCTAssertTrue(alerting.stdout.contains("[CRIT] disk_critical"), alerting.stdout)
        XCTAssertTrue(alerting.stderr.contains("auto-stopped pi (disk_critical), confirmed"), alerting.stderr)
        AgentProject.wait("serve to exit") { serve.poll() != nil }
        let local = try EventLogReader(directory: stateDir).tail(limit: 100).map(\.kind)
        XCTAssertTrue(local.contains("monitor_auto_stop_triggered"), "\(local)")
        XCTAssertTrue(local.contains("monitor_alert_emitted"), "\(local)")

        // A hostile remote config path arrives as one literal word.
        try? FileManager.default.removeItem(atPath: "/tmp/pwned")
        let hostile = try monitor(["--once"], config: project.dir + "/x'; touch /tmp/pwned; '/agent-runner.toml")
        XCTAssertEqual(hostile.code, 1, "the stand-in cannot find that config")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/pwned"))
        XCTAssertTrue(hostile.stderr.contains("config not found: \(project.dir)/x'; touch /tmp/pwned; '/agent-runner.toml"), hostile.stderr)

        // sshd down past the tolerance (from a local config): blips, then the give-up, in the local log dir.
        fleet.sshd.stop()
        let local2 = try AgentProject(self, runtime: [], extra: "[monitor]\nremote_failure_tolerance_s = 1")
        let down = try Harness.run("agent-runner", ["monitor", "--host", "pi", "--ssh-config", fleet.sshd.clientConfig, "--remote-config", project.dir + "/agent-runner.toml",
                                                    "--config", local2.dir + "/agent-runner.toml", "--agent-runner", fleet.standIn, "--state-dir", stateDir + "2", "--interval", "0.3", "--cycles", "6"])
        XCTAssertEqual(down.code, 0, down.stderr)
        let kinds = try EventLogReader(directory: local2.logDir).tail(limit: 100).map(\.kind)
        XCTAssertTrue(kinds.contains("monitor_remote_blip"), "\(kinds)")
        XCTAssertEqual(kinds.filter { $0 == "monitor_remote_giveup" }.count, 1, "\(kinds)")
    }
}
