import FleetCore
import Foundation
import TestSupport
import XCTest

/// The real aider CLI (0.86.2, `AIDER_BIN`) under the real `agent-runner serve`, as a non-root
/// user, against the OpenAI stand-in: the config `init --preset aider` writes (and its
/// .aider.model.settings.yml and .gitignore lines), with only the binary, the model and the
/// provider added. aider exits 0 after every provider error, so every verdict here comes from
/// its output.
final class AiderRealAgentTests: XCTestCase {
    typealias Config = RealAgentProject.Config

    /// One serve, four rounds (a pre-round hook gives each its scenario):
    /// 1. a whole-file edit: usage with model and tokens; aider commits its edit itself, and the
    ///    preset's .gitignore lines keep aider from leaving .gitignore changed, so the tree is
    ///    clean and there is nothing to stash;
    /// 2. a 401: `agent_auth_error_detected` (exit 0);
    /// 3. a 429 whose message says "Please try again in 4s": aider retries for about a minute, the
    ///    round timeout (of its phase) ends it; serve backs off until that reset, then
    ///    `transient_error_recovered`;
    /// 4. a 503: the 5xx bucket, and `max_rounds` ends serve at once, back-off pending.
    func testAnEditA401A429WithItsResetAndA503() throws {
        let aider = try RealAgentCLIs.aider
        let host = try RealAgentCLIs.host(self)
        let project = try RealAgentProject(self, preset: "aider", user: host.user, agentRunner: host.agentRunner)
        XCTAssertEqual(
            try project.git(["ls-files"]).split(separator: "\n"),
            [".aider.model.settings.yml", ".gitignore", "README.md", "agent-runner.toml", "prompts/main.md"])
        try project.configure { config in
            var command = try config.command
            command[0] = aider
            command += [
                "--model", "openai/gpt-4o-mini", "--openai-api-base", project.standIn.baseURL + "/v1",
                "--openai-api-key", "sk-test", "--no-show-model-warnings",
                "--model-metadata-file", ProviderStandIn.fixtures + "/aider-model-metadata.json",
            ]
            config.set("agent", "command", Config.list(command))
            config.set("runtime", "restart_delay_s", "0.05")
            config.set("runtime", "backoff_jitter_s", "0")
            // One phase per round, so that only the rounds aider would retry for a minute are cut
            // short: 15 s covers its start (5-7 s on a loaded 2-core machine) and a few retries.
            config.set("phases", "list", Config.list(["edit", "auth", "limit", "overload"]))
            config.set("phases.limit", "round_budget_s", "15")
            config.set("phases.overload", "round_budget_s", "15")
        }
        try project.scenario(round: 1, #"[{"kind": "edit", "path": "hello.txt", "content": "hello from aider\n"}]"#)
        try project.scenario(round: 2, #"[{"kind": "error", "status": 401}]"#)
        let limitMessage =
            "Rate limit reached for gpt-4o-mini in organization org-standin on requests per min "
            + "(RPM): Limit 3, Used 3, Requested 1. Please try again in 4s. Visit "
            + "https://platform.openai.com/account/rate-limits to learn more."
        try project.scenario(round: 3, #"[{"kind": "error", "status": 429, "message": "\#(limitMessage)"}]"#)
        try project.scenario(round: 4, #"[{"kind": "error", "status": 503}]"#)

        let serve = try project.serve(["--max-rounds", "4"], timeout: .seconds(120))
        let exitedAt = Date().timeIntervalSince1970
        XCTAssertEqual(serve.exit, .terminated(0), serve.stderrText)
        let events = try project.events()
        func ofRound(_ round: Int, _ kind: String) -> [JSONObject] {
            events.filter { $0.kind == kind && $0.payload["round_num"] == .int(Int64(round)) }.map(\.payload)
        }

        // Round 1: the edit, committed by aider, usage with model and tokens.
        XCTAssertEqual(ofRound(1, "agent_exit").first?["exit_code"], 0)
        let usage = try XCTUnwrap(ofRound(1, "agent_usage_recorded").first)
        XCTAssertEqual(usage["agent"], "aider")
        XCTAssertEqual(usage["model"], "openai/gpt-4o-mini")
        XCTAssertGreaterThan(usage["input_tokens"]?.intValue ?? 0, 0, "\(usage)")
        XCTAssertGreaterThan(usage["output_tokens"]?.intValue ?? 0, 0, "\(usage)")
        XCTAssertEqual(usage["success"], true)
        XCTAssertEqual(try project.git(["show", "HEAD:hello.txt"]), "hello from aider\n", "aider committed its edit")
        XCTAssertEqual(try project.git(["log", "-1", "--format=%s"]), "chore: stand-in commit\n")
        XCTAssertEqual(
            ofRound(1, "dirty_detected"), [], "nothing left to stash: aider commits, .gitignore is untouched")
        XCTAssertEqual(try project.git(["status", "--porcelain"]), "")

        // Round 2: the 401, with exit 0.
        XCTAssertEqual(ofRound(2, "agent_exit").first?["exit_code"], 0)
        XCTAssertEqual(ofRound(2, "agent_auth_error_detected").first?["agent"], "aider")

        // Round 3: killed at the round timeout mid-retry, throttled until "try again in 4s".
        XCTAssertEqual(ofRound(3, "agent_exit").first?["exit_cause"], "timeout")
        let limit = try XCTUnwrap(ofRound(3, "transient_error_detected").first)
        XCTAssertEqual(limit["classification"], "rate_limit_model")
        XCTAssertEqual(limit["agent"], "aider")
        XCTAssertEqual(limit["phase"], "limit")
        let roundEnd3 = try XCTUnwrap(events.first { $0.kind == "round_end" && $0.payload["round_num"] == 3 }?.instant)
        let reset = try XCTUnwrap(limit["reset_at_epoch"]?.intValue)
        XCTAssertEqual(Double(reset), ClaudeRealAgentTests.seconds(roundEnd3) + 4, accuracy: 1.5)
        let recovered = try XCTUnwrap(events.firstIndex { $0.kind == "transient_error_recovered" })
        XCTAssertEqual(events[recovered].payload["agent"], "aider")
        let start4 = try XCTUnwrap(events[recovered...].first { $0.kind == "round_start" }?.instant)
        XCTAssertGreaterThanOrEqual(ClaudeRealAgentTests.seconds(start4), Double(reset))
        XCTAssertLessThan(ClaudeRealAgentTests.seconds(start4), Double(reset) + 2, "the reset itself, not a default")

        // Round 4: the 503, then max_rounds ends serve without sleeping the back-off.
        XCTAssertEqual(ofRound(4, "transient_error_detected").first?["classification"], "api_transient_5xx")
        let roundEnd4 = try XCTUnwrap(events.last { $0.kind == "round_end" }?.instant)
        XCTAssertLessThan(exitedAt - ClaudeRealAgentTests.seconds(roundEnd4), 1.0)
        XCTAssertEqual(events.last { $0.kind == "serve_stopped" }?.payload["reason"], "max_rounds_reached")
        XCTAssertEqual(try project.payloads("crash_loop"), [])
        project.assertNoProcessLeft()
    }
}
