import FleetCore
import Foundation
import TestSupport
import XCTest

/// `agent-runner monitor --host H --mode events` over a real loopback sshd against our
/// agent-runner on the host (run as the host's own user): the host's events relayed unchanged, a
/// dropped link reconnected with --since and the boundary event printed once, SIGTERM ending ssh
/// and leaving nothing on the host, and the give-up.
final class RelayEndToEndTests: XCTestCase {
    func testRelaysReconnectsWithoutRepeatsAndLeavesNothingOnTheHost() throws {
        let fleet = try FleetFixture(self, hosts: ["pi1"])
        let host = try fleet.project(self, on: "pi1")
        let user = fleet.user("pi1")
        let home = try Harness.temporaryDirectory(self)
        var env = ProcessRequest.currentEnvironment()
        env["HOME"] = home
        env.removeValue(forKey: "AGENT_RUNNER_CONFIG")
        // No local agent-runner.toml anywhere: the relay does not need one.
        let relay = try RelayFixture.start(
            [
                try Harness.binary("agent-runner"), "monitor", "--host", "pi1", "--mode", "events", "--kind",
                "round_start,round_end,serve_started", "--remote-config", host.dir + "/agent-runner.toml",
                "--agent-runner", fleet.agentRunner, "--ssh-config", fleet.sshd.clientConfig,
            ],
            environment: env, in: home)
        defer { _ = relay.process.terminate(grace: .seconds(2)) }
        AgentProject.wait("the host's events --tail") { RelayFixture.tails(of: user).count == 1 }
        let first = try XCTUnwrap(RelayFixture.tails(of: user).first)
        try relay.prime(logDir: host.logDir, owner: user)

        XCTAssertEqual(try host.run(["round"]).code, 0)
        relay.waitFor("round_end:1")

        // Drop the link: kill the relay's ssh. The host's tail ends by itself (its reader is gone).
        let ssh = try XCTUnwrap(relay.sshChildren().first, "the relay's ssh")
        kill(ssh.pid, SIGKILL)
        XCTAssertLessThan(
            RelayFixture.waitUntilGone([first.pid]), .seconds(3), "the host's first tail ended with no new event")
        AgentProject.wait("the reconnect with --since") {
            RelayFixture.tails(of: user).contains { (ProcessTree.commandLine(of: $0.pid) ?? []).contains("--since") }
        }
        XCTAssertEqual(try host.run(["round"]).code, 0)
        relay.waitFor("round_end:2")
        XCTAssertEqual(
            relay.relayed(), ["round_start:1", "round_end:1", "round_start:2", "round_end:2"],
            "every event once: the replayed boundary is not printed again")

        let stateDir = home + "/.local/state/agent-runner/monitor-pi1"
        let blips = try EventLogReader(directory: stateDir).tail(limit: 100).filter { $0.kind == "monitor_remote_blip" }
        XCTAssertEqual(
            blips.count, 1, "the blip goes to ~/.local/state/agent-runner/monitor-pi1 without a local config")
        XCTAssertEqual(blips.first?.payload["returncode"], .int(-9), "ssh's own end, not a kill of the relay's making")
        XCTAssertEqual(
            blips.first?.payload["resume_since"]?.stringValue,
            try host.events().last { $0.kind == "round_end" && $0.payload["round_num"] == .int(1) }?.ts)

        // SIGTERM: exit 0, ssh ended, and the host's tail ends with it.
        let remote = RelayFixture.tails(of: user).map(\.pid)
        XCTAssertTrue(try relay.process.signal(SIGTERM))
        XCTAssertEqual(relay.process.wait(), .terminated(0))
        XCTAssertEqual(relay.sshChildren(), [])
        XCTAssertLessThan(RelayFixture.waitUntilGone(remote), .seconds(3))
        XCTAssertEqual(RelayFixture.tails(of: user), [], "no agent-runner left on the host")
        XCTAssertTrue(relay.process.collectOutput().stderrText.contains("reconnecting in 1s"))
    }

    /// A host where `agent-runner` cannot be run (rc 127): blips, then the give-up past the local
    /// config's tolerance, recorded in its log dir; exit 1 with the original's line and the fix.
    func testGivesUpPastTheToleranceAndSaysWhatToDo() throws {
        let fleet = try FleetFixture(self, hosts: ["pi1"])
        let local = try AgentProject(self, extra: "[monitor]\nremote_failure_tolerance_s = 3")
        let start = ContinuousClock.now
        let result = try Harness.run(
            "agent-runner",
            [
                "monitor", "--host", "pi1", "--mode", "events", "--agent-runner", "/nonexistent/agent-runner",
                "--ssh-config", fleet.sshd.clientConfig, "--config", local.dir + "/agent-runner.toml",
            ], in: local.dir, timeout: .seconds(60))
        XCTAssertEqual(result.code, 1, result.stderr)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(20))
        // 3 s / 3 attempts when ssh answers at once; a loaded machine may round to 4 s.
        XCTAssertTrue(result.stderr.contains("agent-runner: relay to 'pi1' gave up after "), result.stderr)
        XCTAssertTrue(result.stderr.contains(" attempts (ssh rc=127): "), result.stderr)
        XCTAssertTrue(
            result.stderr.contains(
                "agent-runner: next: the host's non-interactive shell did not find "
                    + "/nonexistent/agent-runner"), result.stderr)
        XCTAssertEqual(result.stdout, "")
        let kinds = try local.events().map(\.kind).filter { $0.hasPrefix("monitor_remote") }
        XCTAssertEqual(kinds.last, "monitor_remote_giveup")
        XCTAssertEqual(Set(kinds.dropLast()), ["monitor_remote_blip"], "\(kinds)")
        let giveUp = try XCTUnwrap(try local.first("monitor_remote_giveup"))
        XCTAssertEqual(giveUp.payload["returncode"], .int(127))
        XCTAssertEqual(giveUp.payload["cap_s"], .int(3))
    }
}
