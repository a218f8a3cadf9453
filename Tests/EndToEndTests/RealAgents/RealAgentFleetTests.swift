import FleetCore
import Foundation
import TestSupport
import XCTest

/// A host whose real Claude Code cannot authenticate, watched over ssh: `agent-runner serve`
/// runs as the host's own user on a loopback sshd (FleetFixture), the 401 becomes
/// `agent_auth_error_detected`, and `fleetctl watch` raises `oauth_fail` and stops the host.
final class RealAgentFleetTests: XCTestCase {
    typealias Config = RealAgentProject.Config

    func testA401RaisesOAuthFailAndFleetctlWatchStopsTheHost() throws {
        let claude = try RealAgentCLIs.claude
        let fleet = try FleetFixture(self, hosts: ["pi"])
        let project = try RealAgentProject(
            self, preset: "claude", user: fleet.user("pi"), agentRunner: fleet.agentRunner)
        try project.configure { config in
            var command = try config.command
            command[0] = claude
            config.set("agent", "command", Config.list(command))
            config.set("agent.env", "ANTHROPIC_BASE_URL", Config.string(project.standIn.baseURL))
            config.set("agent.env", "ANTHROPIC_API_KEY", Config.string("sk-test"))
            config.set("agent.env", "CLAUDE_CODE_MAX_RETRIES", Config.string("0"))
            // After the failed round serve sleeps 40 s (restart_delay_s × 2): the stop lands there.
            config.set("runtime", "restart_delay_s", "20")
        }
        try project.scenario(round: 1, #"[{"kind": "error", "status": 401}]"#)
        try fleet.inventory(
            defaults: [
                "[defaults.detectors]", "window = 1", "[defaults.auto_stop]", #"on = ["oauth_fail"]"#, "confirm_s = 15",
            ],
            "[hosts.pi]\nconfig = \"\(project.configPath)\"\n")
        let serve = try project.startServe()
        defer { _ = serve.terminate(grace: .seconds(5)) }
        let auth = try XCTUnwrap(project.waitFor("agent_auth_error_detected"))
        XCTAssertEqual(auth.payload["agent"], "claude")
        XCTAssertTrue(auth.payload["raw"]?.stringValue?.contains("Invalid API key") ?? false, auth.raw)

        let watch = try fleet.fleetctl(["watch", "--json", "--cycles", "10"], timeout: .seconds(60))
        XCTAssertEqual(watch.code, 0, watch.stderr)
        let lines = watch.stdout.split(separator: "\n").compactMap { try? JSONParser.strict.parse(Array($0.utf8)) }
        XCTAssertTrue(lines.contains { $0["type"] == "alert" && $0["detector"] == "oauth_fail" }, watch.stdout)
        XCTAssertTrue(
            lines.contains {
                $0["type"] == "auto_stop" && $0["detector"] == "oauth_fail" && $0["result"] == "confirmed"
            },
            watch.stdout)
        let triggered = try fleet.fleetEvents().filter { $0.kind == "monitor_auto_stop_triggered" }
        XCTAssertEqual(triggered.map { $0.payload["host"] }, ["pi"])
        XCTAssertEqual(triggered.first?.payload["confirmed"], true)

        let output = serve.collectOutput(deadline: .now + .seconds(10))
        XCTAssertFalse(output.timedOut, "serve was stopped")
        XCTAssertEqual(try project.payloads("serve_stopped").first?["reason"], "signal")
        XCTAssertEqual(try project.payloads("crash_loop"), [])
        project.assertNoProcessLeft(exceptCommands: ["sshd"])
    }
}
