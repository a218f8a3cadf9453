import FleetCore
import Foundation
import XCTest

/// fleetctl against hosts that run the real original 0.3.14 (pid-file mode, each host its own
/// unix user, the fake agent replaying transcripts recorded from the original's harness): the
/// verbs, the exact version, and every card detector firing through what the original offers.
final class FleetOriginalHostTests: XCTestCase {
    /// The rows of `fleetctl status --json`.
    private func rows(_ result: Harness.Result) throws -> [JSONValue] {
        try result.stdout.split(separator: "\n").map { try JSONParser.strict.parse(Array($0.utf8)) }
    }

    private func waitForRounds(_ project: AgentProject, exits count: Int, timeout: Double = 40) {
        AgentProject.wait("\(count) rounds of the original to exit", timeout: timeout) {
            ((try? project.events()) ?? []).filter { $0.kind == "agent_exit" }.count >= count
        }
    }

    func testStatusPeekAndStopOfAnOriginalHostShowItsExactVersion() throws {
        let fleet = try FleetFixture(self, hosts: ["orig"])
        let project = try fleet.originalProject(self, on: "orig", modes: ["slow"])
        try fleet.inventory(try FleetFixture.originalHost("orig", project: project))
        let serve = try project.startOriginalServe()
        defer { _ = serve.terminate(grace: .seconds(5)) }
        AgentProject.wait("the original's serve.pid") {
            FileManager.default.fileExists(atPath: project.logDir + "/serve.pid")
        }

        let status = try fleet.fleetctl(["status", "--json"])
        XCTAssertEqual(status.code, 0, status.stderr + status.stdout)
        let row = try XCTUnwrap(try rows(status).first)
        XCTAssertEqual(row["version"], "0.3.14")
        XCTAssertEqual(row["runner"], "original")
        XCTAssertEqual(row["service"], "running")
        XCTAssertEqual(row["alerts"], [])
        let table = try fleet.fleetctl(["status"])
        XCTAssertTrue(table.stdout.contains("0.3.14 (original)"), table.stdout)
        let peek = try fleet.fleetctl(["peek", "orig", "--select", "fleetctl"])
        XCTAssertEqual(peek.code, 0, peek.stderr)
        XCTAssertEqual(
            try JSONParser.strict.parse(Array(peek.stdout.utf8)),
            ["agent_runner_version": "0.3.14", "runner": "original"])

        // The original's stop: SIGTERM, the round in flight (2 s) finishes, serve exits 0.
        let stop = try fleet.fleetctl(["stop", "orig"])
        XCTAssertEqual(stop.code, 0, stop.stderr)
        AgentProject.wait("the original's serve to exit") { serve.poll() != nil }
        XCTAssertEqual(serve.poll(), .terminated(0))
        let exit = try project.events().last { $0.kind == "agent_exit" }
        XCTAssertEqual(exit?.payload["exit_code"], 0, "its round ran to the end")
        XCTAssertEqual(try fleet.fleetctl(["peek", "orig", "--select", "service.active"]).stdout, "false\n")
    }

    /// A mixed fleet: claude 401 rounds leave only `agent_exit` in the original's events; fleetctl
    /// reads their transcripts (one per poll), fires oauth_fail, stops the original and confirms
    /// the stop, while the host running ours beside it is polled alike and left running.
    func testClaude401RoundsOnAnOriginalHostAreOAuthFailAutoStoppedAndConfirmed() throws {
        let fleet = try FleetFixture(self, hosts: ["orig", "ours"])
        let project = try fleet.originalProject(self, on: "orig", modes: ["replay-claude-401"])
        let healthy = try fleet.project(self, on: "ours", modes: ["slow"])
        let defaults = ["[defaults.detectors]", "window = 3", "[defaults.auto_stop]", "confirm_s = 15"]
        try fleet.inventory(
            defaults: defaults,
            """
            \(try FleetFixture.originalHost("orig", project: project))
            \(FleetFixture.host("ours", project: healthy))
            [[hooks]]
            command = ["\(fleet.hookScript)", "{detector}"]
            on = ["critical"]
            """)
        let serve = try project.startOriginalServe()
        defer { _ = serve.terminate(grace: .seconds(5)) }
        let serveOurs = try healthy.startServe()
        defer { _ = serveOurs.terminate(grace: .seconds(5)) }
        let watch = try fleet.startFleetctl(["watch", "--json"])
        defer { _ = watch.terminate(grace: .seconds(5)) }
        func events() -> [Event] { (try? fleet.fleetEvents()) ?? [] }
        AgentProject.wait("the auto-stop", timeout: 60) {
            events().contains { $0.kind.hasPrefix("monitor_auto_stop_") }
        }
        _ = try watch.signal(SIGTERM)
        let output = watch.collectOutput(deadline: .now + .seconds(20))
        XCTAssertEqual(output.exit, .terminated(0), output.stderrText)

        let triggered = events().filter { $0.kind == "monitor_auto_stop_triggered" }
        XCTAssertEqual(triggered.map { $0.payload["host"] }, ["orig"])
        XCTAssertEqual(
            triggered.map { $0.payload["detector"] }, ["oauth_fail"],
            events().map(\.raw).joined(separator: "\n"))
        XCTAssertEqual(triggered.first?.payload["confirmed"], true)
        let emitted = try XCTUnwrap(events().first { $0.kind == "monitor_alert_emitted" })
        XCTAssertEqual(
            emitted.payload["message"],
            "3/3 recent rounds failed auth (agent-reported or short-exit pattern)")
        XCTAssertEqual(try fleet.hookCallDocuments().map { $0["detector"] }, ["oauth_fail"])
        AgentProject.wait("the original's serve to exit") { serve.poll() != nil }
        XCTAssertFalse(
            try project.events().contains { $0.kind == "agent_auth_error_detected" },
            "the original itself recorded no auth error: the verdicts came from the transcripts")
        let polls = output.stdoutText.split(separator: "\n").compactMap { try? JSONParser.strict.parse(Array($0.utf8)) }
            .filter { $0["type"] == "poll" }
        XCTAssertEqual(polls.last { $0["host"] == "orig" }?["version"], "0.3.14", output.stdoutText)
        XCTAssertEqual(polls.last { $0["host"] == "ours" }?["version"], .string(BuildInfo.version))
        XCTAssertEqual(polls.last { $0["host"] == "ours" }?["runner"], "ours")
        XCTAssertNil(serveOurs.poll(), "the host running ours keeps running")
    }

    /// A rejected five_hour rate_limit_event: the original backs off until resetsAt (now + 1 h)
    /// and says so in its events and `service.rate_limit`.
    func testARejectedFiveHourLimitOnAnOriginalHostIsRateLimitActive() throws {
        let fleet = try FleetFixture(self, hosts: ["orig"])
        let project = try fleet.originalProject(self, on: "orig", modes: ["replay-claude-429"])
        try fleet.inventory(try FleetFixture.originalHost("orig", project: project))
        let serve = try project.startOriginalServe()
        defer { _ = serve.terminate(grace: .seconds(5)) }
        AgentProject.wait("the original's transient_error_detected") {
            ((try? project.events()) ?? []).contains { $0.kind == "transient_error_detected" }
        }
        let status = try fleet.fleetctl(["status", "--json"])
        let row = try XCTUnwrap(try rows(status).first)
        XCTAssertEqual(row["alerts"], ["rate_limit_active"], status.stdout)
        XCTAssertTrue(row["throttle"]?.stringValue?.hasPrefix("claude until ") ?? false, status.stdout)
    }

    /// `read ECONNRESET`: the original writes no agent_network_blip for it (its regex has
    /// "connection reset", not the errno); fleetctl's transcript verdict makes it network_fail.
    func testEconnresetRoundsOnAnOriginalHostAreNetworkFail() throws {
        let fleet = try FleetFixture(self, hosts: ["orig"])
        let project = try fleet.originalProject(self, on: "orig", modes: ["replay-claude-net-reset"])
        try fleet.inventory(
            defaults: ["[defaults.detectors]", "window = 2"],
            try FleetFixture.originalHost("orig", project: project))
        let serve = try project.startOriginalServe()
        defer { _ = serve.terminate(grace: .seconds(5)) }
        waitForRounds(project, exits: 2)
        XCTAssertFalse(try project.events().contains { $0.kind == "agent_network_blip" })
        let status = try fleet.fleetctl(["status", "--json"])
        let row = try XCTUnwrap(try rows(status).first)
        XCTAssertEqual(row["alerts"], ["network_fail"], status.stdout)
    }

    /// The original's `system` block is its last metrics line: a full disk under its log dir.
    func testAFullDiskUnderAnOriginalHostIsDiskCriticalAndStopped() throws {
        let fleet = try FleetFixture(self, hosts: ["orig"])
        let disk = try SmallTmpfs(self)
        let project = try fleet.originalProject(self, on: "orig", modes: ["slow"], root: disk.path)
        try disk.fill(pastPercent: 95)
        try fleet.inventory(
            defaults: ["[defaults.auto_stop]", "confirm_s = 15"],
            try FleetFixture.originalHost("orig", project: project))
        let serve = try project.startOriginalServe()
        defer { _ = serve.terminate(grace: .seconds(5)) }
        AgentProject.wait("the original's first metrics line") {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: project.logDir)) ?? []
            return names.contains { $0.hasPrefix("metrics-") }
        }
        let status = try fleet.fleetctl(["status", "--json"])
        let row = try XCTUnwrap(try rows(status).first)
        XCTAssertEqual(row["alerts"], ["disk_critical"], status.stdout)
        XCTAssertGreaterThanOrEqual(row["disk_used_pct"]?.doubleValue ?? 0, 95)

        let watch = try fleet.fleetctl(["watch", "--cycles", "40"], timeout: .seconds(90))
        XCTAssertEqual(watch.code, 0, watch.stderr)
        XCTAssertTrue(watch.stdout.contains("auto-stop orig (disk_critical): stopped, confirmed"), watch.stdout)
        AgentProject.wait("the original's serve to exit") { serve.poll() != nil }
    }

    /// A serve that died (kill -9) while it should run: its log goes silent past the threshold.
    func testAnOriginalServeThatDiedIsSupervisorStale() throws {
        let fleet = try FleetFixture(self, hosts: ["orig"])
        let project = try fleet.originalProject(self, on: "orig", modes: ["ok"])
        try fleet.inventory(
            defaults: ["[defaults.detectors]", "supervisor_stale_threshold_s = 3"],
            try FleetFixture.originalHost("orig", project: project))
        let serve = try project.startOriginalServe()
        defer { _ = serve.terminate(grace: .seconds(5)) }
        waitForRounds(project, exits: 1)
        let healthy = try fleet.fleetctl(["status", "--json"])
        XCTAssertEqual(try XCTUnwrap(try rows(healthy).first)["alerts"], [], healthy.stdout)
        _ = try serve.signal(SIGKILL)
        _ = serve.wait()
        fleet.user("orig").killProcesses()
        sleep(5)
        let status = try fleet.fleetctl(["status", "--json"])
        let row = try XCTUnwrap(try rows(status).first)
        XCTAssertEqual(row["alerts"], ["supervisor_stale"], status.stdout)
    }
}
