import FleetCore
import Foundation
import TestSupport
import XCTest

/// The real Claude Code CLI (2.1.332, `CLAUDE_BIN`) under the real `agent-runner serve`, as a
/// non-root user, against the Anthropic stand-in: the config `init --preset claude` writes, with
/// only the binary, the provider and the runtime knobs changed.
final class ClaudeRealAgentTests: XCTestCase {
    typealias Config = RealAgentProject.Config

    /// A project whose config is the claude preset pointed at the stand-in; `edit` changes more.
    func project(
        _ host: (user: TestUser, agentRunner: String),
        _ edit: (inout Config, ProviderStandIn) throws -> Void = { _, _ in }
    ) throws -> RealAgentProject {
        let claude = try RealAgentCLIs.claude
        let project = try RealAgentProject(self, preset: "claude", user: host.user, agentRunner: host.agentRunner)
        try project.configure { config in
            var command = try config.command
            command[0] = claude
            config.set("agent", "command", Config.list(command))
            config.set("agent.env", "ANTHROPIC_BASE_URL", Config.string(project.standIn.baseURL))
            config.set("agent.env", "ANTHROPIC_API_KEY", Config.string("sk-test"))
            config.set("runtime", "restart_delay_s", "0.05")
            try edit(&config, project.standIn)
        }
        return project
    }

    static let write = #"""
        [{"kind": "tool_use", "name": "Write", "text": "Writing the file.",
          "input": {"file_path": "{cwd}/hello.txt", "content": "hello from claude\n"}, "then": "I wrote hello.txt."}]
        """#

    /// A normal round records the model and tokens; the file Claude's own Write tool made is then
    /// handled by each dirty_action: stashed (a real stash commit, named by its SHA), left alone,
    /// or committed.
    func testARoundRecordsUsageAndItsEditIsStashedIgnoredOrCommitted() throws {
        let host = try RealAgentCLIs.host(self)
        for action in ["stash", "ignore", "auto_commit"] {
            let project = try project(host) { config, _ in config.set("vcs", "dirty_action", Config.string(action)) }
            try project.scenario(round: 1, Self.write)
            let serve = try project.serve(["--once"])
            XCTAssertEqual(serve.exit, .terminated(0), "\(action): \(serve.stderrText)")
            XCTAssertEqual(try project.payloads("agent_exit").first?["exit_code"], 0, action)

            let usage = try XCTUnwrap(project.payloads("agent_usage_recorded").first, action)
            XCTAssertEqual(usage["agent"], "claude")
            XCTAssertEqual(usage["model"], "claude-opus-5", "the preset's model, as the provider answered it")
            XCTAssertGreaterThan(usage["input_tokens"]?.intValue ?? 0, 1000, "\(usage)")
            XCTAssertGreaterThan(usage["output_tokens"]?.intValue ?? 0, 0, "\(usage)")
            XCTAssertEqual(usage["success"], true)
            XCTAssertEqual(try project.payloads("dirty_detected").first?["files"], ["hello.txt"], action)

            let content = "hello from claude\n"
            switch action {
            case "stash":
                let ref = try XCTUnwrap(project.payloads("orphan_stashed").first?["ref"]?.stringValue)
                XCTAssertEqual(ref.count, 40, "stashed by SHA: \(ref)")
                XCTAssertEqual(try project.git(["cat-file", "-t", ref]), "commit\n")
                XCTAssertTrue(try project.git(["log", "-1", "--format=%s", ref]).contains("ORPHAN R1"))
                XCTAssertEqual(
                    try project.git(["show", ref + "^3:hello.txt"]), content, "untracked files: the third parent")
                XCTAssertFalse(FileManager.default.fileExists(atPath: project.dir + "/hello.txt"))
            case "ignore":
                XCTAssertEqual(try project.payloads("orphan_stashed"), [])
                XCTAssertEqual(try project.git(["status", "--porcelain"]), "?? hello.txt\n")
            default:
                let ref = try XCTUnwrap(project.payloads("dirty_auto_committed").first?["ref"]?.stringValue)
                XCTAssertEqual(try project.git(["rev-parse", "HEAD"]), ref + "\n")
                XCTAssertEqual(try project.git(["show", "HEAD:hello.txt"]), content)
                XCTAssertEqual(try project.git(["status", "--porcelain"]), "")
            }
            let attributes = try FileManager.default.attributesOfItem(atPath: project.dir + "/README.md")
            XCTAssertEqual((attributes[.ownerAccountID] as? NSNumber)?.uint32Value, host.user.uid)
            project.assertNoProcessLeft()
        }
    }

    /// A subscription usage limit (five_hour, resetsAt 5 s ahead): `serve --max-rounds 1` exits
    /// within a second of the round's end instead of sleeping out the back-off; peek shows claude
    /// throttled; the next serve waits until exactly that reset (no jitter here), not a default
    /// back-off, then runs its round after `transient_error_recovered`.
    func testAUsageLimitBacksOffUntilItsResetAndABoundedRunExitsAtOnce() throws {
        let host = try RealAgentCLIs.host(self)
        let token = try RealAgentCLIs.gatewayToken()
        let project = try project(host) { config, _ in
            config.set("agent.env", "ANTHROPIC_AUTH_TOKEN", Config.string(token))
            config.set("agent.env", "CLAUDE_CODE_MAX_RETRIES", Config.string("0"))
            config.set("runtime", "backoff_jitter_s", "0")
        }
        try project.scenario(round: 1, #"[{"kind": "error", "status": 429, "claim": "five_hour", "reset_in_s": 5}]"#)
        try project.scenario(round: 2, #"[{"kind": "text", "text": "Back to work."}]"#)

        let bounded = try project.serve(["--max-rounds", "1"])
        let exitedAt = Date().timeIntervalSince1970
        XCTAssertEqual(bounded.exit, .terminated(0), bounded.stderrText)
        let roundEnd = try XCTUnwrap(project.events().last { $0.kind == "round_end" }?.instant)
        let stopped = try XCTUnwrap(project.events().last { $0.kind == "serve_stopped" })
        XCTAssertEqual(stopped.payload["reason"], "max_rounds_reached")
        XCTAssertLessThan(exitedAt - Self.seconds(roundEnd), 1.0, "serve exits within a second of the round's end")

        let detected = try XCTUnwrap(project.payloads("transient_error_detected").first)
        XCTAssertEqual(detected["classification"], "rate_limit_account")
        XCTAssertEqual(detected["agent"], "claude")
        let reset = try XCTUnwrap(detected["reset_at_epoch"]?.intValue)
        XCTAssertEqual(Double(reset), Self.seconds(roundEnd) + 5, accuracy: 3, "resetsAt of the rate_limit_event")
        XCTAssertEqual(try project.payloads("crash_loop"), [])
        let peek = try project.run(["peek", "--json"])
        let limit = try JSONParser.strict.parse(peek.stdout).value(at: "service.rate_limit")
        XCTAssertEqual(limit?["throttled_agents"], ["claude"], peek.stdout)
        XCTAssertEqual(limit?["limit_type"], "rate_limit_account")
        XCTAssertEqual(limit?["throttled_until_epoch"], .int(reset))

        let next = try project.serve(["--max-rounds", "1"])
        XCTAssertEqual(next.exit, .terminated(0), next.stderrText)
        let events = try project.events()
        let recovered = try XCTUnwrap(events.firstIndex { $0.kind == "transient_error_recovered" })
        XCTAssertEqual(events[recovered].payload["agent"], "claude")
        let start = try XCTUnwrap(events[recovered...].first { $0.kind == "round_start" }?.instant)
        XCTAssertGreaterThanOrEqual(Self.seconds(start), Double(reset))
        XCTAssertLessThan(Self.seconds(start), Double(reset) + 2, "the reset itself, not a default back-off")
        XCTAssertEqual(try project.payloads("agent_usage_recorded").last?["success"], true)
        let after = try JSONParser.strict.parse(try project.run(["peek", "--json"]).stdout)
        XCTAssertEqual(after.value(at: "service.rate_limit"), .null)
        project.assertNoProcessLeft()
    }

    /// 529 overloaded (a plain 529 and an SSE overloaded_error mid-stream) is the 5xx bucket: five
    /// failed rounds in a row (exit 1, shorter than a minute) are throttles, never a crash loop.
    func testOverloadIsTheServerErrorBucketNeverACrashLoop() throws {
        let host = try RealAgentCLIs.host(self)
        let project = try project(host) { config, _ in
            config.set("agent.env", "CLAUDE_CODE_MAX_RETRIES", Config.string("0"))
            // Run the next round at once, so five rounds take seconds: the back-off is proven above.
            config.set("runtime", "transient_error_action", Config.string("skip"))
        }
        try project.scenario(round: 1, #"[{"kind": "error", "status": 529}]"#)
        try project.scenario(
            round: 3, #"[{"kind": "stream_error", "type": "overloaded_error", "message": "Overloaded"}]"#)
        try project.scenario(round: 4, #"[{"kind": "error", "status": 529}]"#)
        let serve = try project.serve(["--max-rounds", "5"])
        XCTAssertEqual(serve.exit, .terminated(0), serve.stderrText)
        XCTAssertEqual(try project.payloads("agent_exit").map { $0["exit_code"] }, Array(repeating: 1, count: 5))
        let detected = try project.payloads("transient_error_detected")
        XCTAssertEqual(detected.map { $0["classification"] }, Array(repeating: "api_transient_5xx", count: 5))
        XCTAssertEqual(detected.map { $0["agent"] }, Array(repeating: "claude", count: 5))
        XCTAssertEqual(try project.payloads("crash_loop"), [])
        XCTAssertEqual(try project.payloads("serve_stopped").first?["reason"], "max_rounds_reached")
        project.assertNoProcessLeft()
    }

    /// Round 1: the result, then Claude waits for its background Bash task: past the grace window
    /// with only ignored helpers left, serve kills the round (`round_grace_kill`). Round 2: a
    /// background `echo x; sleep 600`, then the stream stalls: the hard round timeout kills Claude
    /// and its Bash tool's own sessions. Every process of each round is gone afterwards.
    func testAGraceKillAndAStalledStreamAtTheRoundTimeoutLeaveNoProcess() throws {
        let host = try RealAgentCLIs.host(self)
        let project = try project(host) { config, _ in
            config.set("agent.env", "CLAUDE_CODE_MAX_RETRIES", Config.string("0"))
            // Round 1 must reach its result and the 2 s grace before the budget: Claude's own start
            // took over 6 s on the 2-core machine with every shard running, so 8 s was too tight.
            config.set("runtime", "round_budget_s", "20")
            config.set("runtime", "max_grace_after_result_s", "2")
            // The preset ignores Claude's shell-snapshot shells; the test also lets its sleep go.
            config.set(
                "runtime", "grace_kill_ignore_patterns",
                Config.list([#"\.claude/shell-snapshots/snapshot-bash-"#, "^sleep 600$"]))
        }
        let background = #"{"command": "echo x; sleep 600", "description": "Wait", "run_in_background": true}"#
        try project.scenario(
            round: 1, #"[{"kind": "tool_use", "name": "Bash", "input": \#(background), "then": "Started."}]"#)
        try project.scenario(
            round: 2,
            #"""
            [{"kind": "tool_use", "name": "Bash", "input": \#(background), "then": null},
             {"kind": "stall", "text": "Still thinking"}]
            """#)
        let serve = try project.startServe(["--max-rounds", "2"])
        let first = project.roundProcesses(serve: serve.pid) { _, command in command == "sleep 600" }
        project.waitFor("round_grace_kill")
        let second = project.roundProcesses(serve: serve.pid) { entry, command in
            command == "sleep 600" && !first.contains(entry)
        }
        AgentProject.wait("the stand-in's stalled stream", timeout: 30) {
            project.standIn.requests().contains { $0["event"] == "stall_start" }
        }
        let output = serve.collectOutput(deadline: .now + .seconds(60))
        XCTAssertEqual(output.exit, .terminated(0), output.stderrText)

        let exits = try project.payloads("agent_exit")
        XCTAssertEqual(exits.map { $0["exit_cause"] }, ["grace_kill", "timeout"], "\(exits)")
        XCTAssertEqual(try project.payloads("round_grace_kill").map { $0["round_num"] }, [1])
        XCTAssertEqual(try project.payloads("round_timeout_kill").map { $0["round_num"] }, [2])
        XCTAssertTrue(first.contains { $0.command == "bash" }, "the Bash tool's shell: \(first)")
        XCTAssertTrue(second.contains { $0.command == "bash" }, "the Bash tool's shell: \(second)")
        let claudePid = try XCTUnwrap(second.first { $0.parent == serve.pid }, "\(second)")
        XCTAssertTrue(second.contains { $0.session != claudePid.session }, "the tool runs in its own session")
        RealAgentProject.assertGone(first)
        RealAgentProject.assertGone(second)
        project.assertNoProcessLeft()
    }

    static func seconds(_ instant: UTCInstant) -> Double {
        Double(instant.seconds) + Double(instant.nanoseconds) / 1e9
    }
}
