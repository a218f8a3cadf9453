import FleetCore
import Foundation
import XCTest

/// fleetctl's one-shot verbs and `agent-runner monitor --host` end to end against a real sshd,
/// with the real remote `agent-runner` (see FleetFixture).
final class FleetVerbTests: XCTestCase {
    func testStopStartWithPartialFailureStatusEventsAndPeek() throws {
        let fleet = try FleetFixture(self, hosts: ["pi1", "pi2"])
        let project = try fleet.project(self, on: "pi1", modes: ["slow"])
        let broken = try fleet.sshd.writeScript(
            "agent-runner-broken", "echo 'agent-runner: restart requires a systemd-user service' >&2; exit 1")
        try fleet.inventory(
            """
            \(FleetFixture.host("pi1", project: project))
            \(FleetFixture.host("pi2", project: project, extra: "agent_runner = \"\(broken)\""))
            """)
        // `fleetctl start` below daemonizes a serve this test holds no handle of.
        addTeardownBlock { _ = try? project.run(["kill"]) }
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

        // start over ssh: the ssh session ends as soon as serve is up, because the daemonized
        // serve holds none of its pipes (a serve holding them would keep ssh waiting until it exits).
        let startedAt = ContinuousClock.now
        let start = try fleet.fleetctl(["start", "pi1", "--json"], timeout: .seconds(30))
        XCTAssertEqual(start.code, 0, start.stderr)
        XCTAssertLessThan(ContinuousClock.now - startedAt, .seconds(15), "start returned once serve was up")
        XCTAssertEqual(try JSONParser.strict.parse(Array(start.stdout.utf8))["service"], "running")
        let started = try XCTUnwrap(
            try PidFile(path: project.logDir + "/serve.pid").runningPID(), "serve.pid names a live serve")
        assertDetached(started, logDir: project.logDir)
        XCTAssertEqual(try fleet.fleetctl(["peek", "pi1", "--select", "service.active"]).stdout, "true\n")

        let restart = try fleet.fleetctl(["restart", "pi1", "--json"], timeout: .seconds(60))
        XCTAssertEqual(restart.code, 0, restart.stderr)
        XCTAssertEqual(try JSONParser.strict.parse(Array(restart.stdout.utf8))["service"], "running")
        let restarted = try XCTUnwrap(
            try PidFile(path: project.logDir + "/serve.pid").runningPID(), "serve.pid names the new serve")
        XCTAssertNotEqual(restarted, started)
        XCTAssertFalse(ProcessTree.isAlive(started), "the first serve is gone")
        assertDetached(restarted, logDir: project.logDir)

        let kill = try fleet.fleetctl(["kill", "pi1", "--json"])
        XCTAssertEqual(kill.code, 0, kill.stderr)
        XCTAssertEqual(try JSONParser.strict.parse(Array(kill.stdout.utf8))["service"], "stopped")
        XCTAssertFalse(ProcessTree.isAlive(restarted))
        XCTAssertEqual(try fleet.fleetctl(["peek", "pi1", "--select", "service.active"]).stdout, "false\n")

        let events = try fleet.fleetctl([
            "events", "pi1", "--kind", "serve_started,serve_stopped", "--since", "2000-01-01T00:00:00.000Z",
        ])
        XCTAssertEqual(events.code, 0, events.stderr)
        let merged = try events.stdout.split(separator: "\n").map { try JSONParser.strict.parse(Array($0.utf8)) }
        XCTAssertGreaterThanOrEqual(merged.count, 2)
        XCTAssertTrue(merged.allSatisfy { $0["host"] == "pi1" })
        XCTAssertEqual(
            try fleet.fleetctl(["events", "all", "--kind", "serve_started"]).code, 1, "pi2's events cannot be read")

        let check = try fleet.fleetctl(["check"])
        XCTAssertEqual(check.code, 0, check.stderr)
        XCTAssertTrue(check.stdout.contains("ssh hygiene"), check.stdout)
    }

    /// An ssh session that goes away while `agent-runner restart` waits for serve to finish its
    /// round (fleetctl's deadline, a dropped connection): the restart still starts serve again.
    /// It used to die of SIGPIPE writing "stopped" to the closed session, leaving the host down.
    func testRestartOverSSHStartsServeEvenWhenTheSessionIsCutDuringTheStop() throws {
        let fleet = try FleetFixture(self, hosts: ["pi"])
        let project = try fleet.project(self, on: "pi", modes: ["slow"])
        addTeardownBlock { _ = try? project.run(["kill"]) }
        let config = project.dir + "/agent-runner.toml"
        try fleet.inventory(FleetFixture.host("pi", project: project))
        let serve = try project.startServe(environment: ["FAKE_SLEEP": "5"])
        defer { _ = serve.terminate(grace: .seconds(5)) }
        AgentProject.wait("the round in flight") {
            FileManager.default.fileExists(atPath: project.logDir + "/agent.pid")
        }
        let first = try XCTUnwrap(try PidFile(path: project.logDir + "/serve.pid").runningPID())

        let ssh = try PosixProcessRunner().spawn(
            ProcessRequest(
                "ssh",
                arguments: [
                    "-F", fleet.sshd.clientConfig, "pi", "--", fleet.agentRunner, "restart", "--config", config,
                ],
                standardOutput: .capture(), standardError: .capture()))
        let restart = [fleet.agentRunner, "restart", "--config", config]
        AgentProject.wait("the remote restart") {
            ProcessTree.snapshot().contains { !$0.isZombie && ProcessTree.commandLine(of: $0.pid) == restart }
        }
        usleep(500_000)
        XCTAssertNil(serve.poll(), "serve is still finishing its round")
        _ = ssh.terminate(grace: .zero)

        AgentProject.wait("serve to exit after its round", timeout: 20) { serve.poll() != nil }
        AgentProject.wait("a new serve", timeout: 20) {
            ((try? PidFile(path: project.logDir + "/serve.pid").runningPID()) ?? nil).map { $0 != first } ?? false
        }
        let second = try XCTUnwrap(try PidFile(path: project.logDir + "/serve.pid").runningPID())
        assertDetached(second, logDir: project.logDir)
        XCTAssertEqual(try fleet.fleetctl(["peek", "pi", "--select", "service.active"]).stdout, "true\n")
    }

    /// A serve `agent-runner start` daemonized over ssh: it leads its own session (no controlling
    /// terminal, no SIGHUP when the session closes), reads /dev/null and writes serve.log.
    func assertDetached(_ pid: Int32, logDir: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ProcessTree.entry(for: pid)?.session, pid, "serve leads its own session", file: file, line: line)
        func target(_ fd: Int) -> String? {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")
        }
        XCTAssertEqual(target(0), "/dev/null", file: file, line: line)
        XCTAssertEqual(target(1), logDir + "/serve.log", file: file, line: line)
        XCTAssertEqual(target(2), logDir + "/serve.log", file: file, line: line)
    }

    func testAgentRunnerMonitorHost() throws {
        let fleet = try FleetFixture(self, hosts: ["pi"])
        let disk = try SmallTmpfs(self)
        let project = try fleet.project(self, on: "pi", modes: ["slow"], root: disk.path)
        let stateDir = fleet.root + "/monitor-state"
        func monitor(_ extra: [String], config: String = project.dir + "/agent-runner.toml") throws -> Harness.Result {
            try Harness.run(
                "agent-runner",
                [
                    "monitor", "--host", "pi", "--ssh-config", fleet.sshd.clientConfig, "--config", config,
                    "--agent-runner", fleet.agentRunner, "--state-dir", stateDir, "--interval", "0.3",
                ] + extra)
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

        try disk.fill(pastPercent: 95)
        project.waitForHostSample("a host sample of the full disk") {
            ($0.payload["disk_used_pct"]?.doubleValue ?? 0) >= 95
        }
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
        XCTAssertEqual(hostile.code, 1, "the remote agent-runner finds no config there")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/pwned"))
        let literal = "\(project.dir)/x'; touch /tmp/pwned; '/agent-runner.toml"
        XCTAssertTrue(
            hostile.stderr.contains(
                "failed on the remote host with exit 78: agent-runner: config error: \(literal): no such file"),
            hostile.stderr)

        // sshd down past the tolerance (from a local config): blips, then the give-up, in the local log dir.
        fleet.sshd.stop()
        let local2 = try AgentProject(self, runtime: [], extra: "[monitor]\nremote_failure_tolerance_s = 1")
        let down = try Harness.run(
            "agent-runner",
            [
                "monitor", "--host", "pi", "--ssh-config", fleet.sshd.clientConfig, "--remote-config",
                project.dir + "/agent-runner.toml",
                "--config", local2.dir + "/agent-runner.toml", "--agent-runner", fleet.agentRunner, "--state-dir",
                stateDir + "2", "--interval", "0.3", "--cycles", "6",
            ])
        XCTAssertEqual(down.code, 0, down.stderr)
        let kinds = try EventLogReader(directory: local2.logDir).tail(limit: 100).map(\.kind)
        XCTAssertTrue(kinds.contains("monitor_remote_blip"), "\(kinds)")
        XCTAssertEqual(kinds.filter { $0 == "monitor_remote_giveup" }.count, 1, "\(kinds)")
    }
}
