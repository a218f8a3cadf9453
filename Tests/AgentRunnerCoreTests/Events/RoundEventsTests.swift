import FleetCore
import XCTest

@testable import AgentRunnerCore

final class RoundEventsTests: XCTestCase {
    let head = String(repeating: "a", count: 40)

    func testStartOfARound() {
        let failure = StartupBattery.Failure(
            check: "prompt_file_exists", reason: "gone", howToFix: "x", permanent: true)
        assertPayload(SmokeCheckFailed(failure), equals: ["reason": .string("prompt_file_exists: gone")])
        assertPayload(
            StatusRecovered(reason: "status.json could not be parsed"),
            equals: ["reason": "status.json could not be parsed"])
        assertPayload(
            RoundSubstrateBefore(roundNum: 2, gitHead: head),
            equals: JSONObject([("round_num", .int(2)), ("git_head", .string(head)), ("paths_hash", .null)]))
        assertPayload(
            RoundSubstrateAfter(roundNum: 2, gitHead: nil),
            equals: JSONObject([("round_num", .int(2)), ("git_head", .null), ("paths_hash", .null)]))
        assertPayload(
            FreshEyesRoundTriggered(roundNum: 10, everyN: 5),
            equals: JSONObject([("round_num", .int(10)), ("every_n", .int(5))]))
        assertPayload(
            AgentSpawn(roundNum: 1, timeoutS: 1800),
            equals: JSONObject([("round_num", .int(1)), ("timeout_s", .int(1800))]))
    }

    func testRoundStartWritesTheChangeOnlyWhenTheDigestChanged() {
        assertPayload(
            RoundStart(roundNum: 1, phase: nil, configDigest: "d1", change: nil),
            equals: JSONObject([
                ("round_num", .int(1)), ("phase", .null), ("config_digest", .string("d1")),
                ("config_changed", .bool(false)),
            ]))
        let change = RoundStart.Change(
            promptFiles: ["/p/a.md", "/p/b.md"], vcsDirtyAction: "stash", promptDelivery: "stdin")
        var expected = JSONObject([
            ("round_num", .int(2)), ("phase", .string("converge")), ("config_digest", .string("d2")),
            ("config_changed", .bool(true)),
        ])
        expected["config_prompt_files"] = .array([.string("/p/a.md"), .string("/p/b.md")])
        expected["config_check_names"] = .array([])
        expected["config_vcs_dirty_action"] = .string("stash")
        expected["config_prompt_delivery"] = .string("stdin")
        assertPayload(RoundStart(roundNum: 2, phase: "converge", configDigest: "d2", change: change), equals: expected)
    }

    func testAgentExitAndKills() {
        let exit = AgentExit(
            status: .signalled(15), durationS: 12.5, timedOut: true, graceKilled: false, graceExtended: false)
        assertPayload(
            AgentExited(roundNum: 3, exit: exit),
            equals: JSONObject([
                ("round_num", .int(3)), ("exit_code", .int(Int64(exit.exitCode))), ("duration_s", .double(12.5)),
                ("timed_out", .bool(true)), ("exit_cause", .string("timeout")),
            ]))
        let failed = AgentExit(
            status: .terminated(1), durationS: 2.0, timedOut: false, graceKilled: false, graceExtended: false)
        assertPayload(
            AgentNetworkBlip(roundNum: 3, phase: nil, matched: "ECONNREFUSED", exit: failed),
            equals: JSONObject([
                ("round_num", .int(3)), ("phase", .null), ("matched", .string("ECONNREFUSED")),
                ("round_duration_s", .double(2.0)), ("exit_code", .int(1)), ("timed_out", .bool(false)),
            ]))
        assertPayload(
            RoundGraceKill(roundNum: 3, graceS: 30),
            equals: JSONObject([("round_num", .int(3)), ("grace_s", .int(30)), ("live_children", .array([]))]))
        assertPayload(
            RoundTimeoutKill(roundNum: 3, timeoutS: 7),
            equals: JSONObject([("round_num", .int(3)), ("reason", .string("exceeded round_timeout_s=7"))]))
        assertPayload(RoundEnd(roundNum: 3), equals: ["round_num": .int(3)])
    }

    func testWatchEvents() {
        let live = (1...7).map { AgentWorker(pid: Int32(100 + $0), name: "sleep") }
        let ignored = [AgentWorker(pid: 200, name: "mcp", matched: "^mcp"), AgentWorker(pid: 201, name: "x")]
        assertPayload(
            RoundGraceExtended(roundNum: 4, graceS: 1, live: live, ignored: ignored),
            equals: JSONObject([
                ("round_num", .int(4)), ("grace_s", .int(1)),
                (
                    "live_children",
                    .array(
                        live.prefix(5).map {
                            .object(JSONObject([("name", .string($0.name)), ("pid", .int(Int64($0.pid)))]))
                        })
                ),
                (
                    "ignored_children",
                    .array(
                        ignored.prefix(5).map {
                            .object(
                                JSONObject([
                                    ("name", .string($0.name)), ("pid", .int(Int64($0.pid))),
                                    ("matched", .string($0.matched ?? "")),
                                ]))
                        })
                ),
            ]))
        assertPayload(
            RoundProgress(roundNum: 4, logSizeKB: 12, lastWriteAgeS: 3, wallAgeS: 60),
            equals: JSONObject([
                ("round_num", .int(4)), ("log_size_kb", .int(12)), ("last_write_age_s", .int(3)),
                ("wall_age_s", .int(60)),
            ]))
    }

    func testTranscriptEvents() {
        let usage = AgentUsage(
            model: "opus", inputTokens: 5, outputTokens: 7, cachedTokens: 11, cacheCreationTokens: 13,
            costUSD: nil, durationMS: 1500, toolCallCount: 2)
        assertPayload(
            AgentUsageRecorded(agent: "claude", usage: usage, roundNum: 1, phase: nil, success: true),
            equals: JSONObject([
                ("agent", .string("claude")), ("model", .string("opus")), ("round_num", .int(1)),
                ("input_tokens", .int(5)), ("output_tokens", .int(7)),
                ("cached_tokens", .int(11)), ("cost_usd", .null),
                ("duration_ms", .int(1500)), ("models_breakdown", .null),
                ("cache_creation_tokens", .int(13)), ("tool_call_count", .int(2)),
                ("phase", .string("")), ("success", .bool(true)),
            ]))
        var costed = usage
        costed.costUSD = 0.25
        XCTAssertEqual(
            AgentUsageRecorded(agent: "claude", usage: costed, roundNum: 1, phase: "p", success: false).payload[
                "cost_usd"],
            .double(0.25))
        assertPayload(
            AnomalyRepetitiveTool(roundNum: 2, call: ToolCall(name: "Bash", target: nil), count: 6, window: 10),
            equals: JSONObject([
                ("round_num", .int(2)), ("tool_name", .string("Bash")), ("target", .null),
                ("count", .int(6)), ("window", .int(10)),
            ]))
        assertPayload(
            AgentAuthErrorDetected(roundNum: 2, agent: "claude", raw: "401"),
            equals: JSONObject([("round_num", .int(2)), ("agent", .string("claude")), ("raw", .string("401"))]))
    }
}
