import FleetCore
import Foundation
import XCTest

/// The real `agent-runner serve` against the fake agent: event sequences, payloads, exit codes
/// and files for every defense.
final class ServeTests: XCTestCase {
    func testFastRoundsUntilMaxRounds() throws {
        let project = try AgentProject(self, modes: ["ok"])
        let result = try project.run(["serve", "--max-rounds", "2"])
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertEqual(result.stdout, "")
        let round = ["round_start", "agent_spawn", "agent_exit", "round_end"]
        XCTAssertEqual(
            try project.kinds(),
            ["serve_started", "host_cgroup_memory_limit"] + round + round + ["max_rounds_reached", "serve_stopped"])
        let events = try project.events()
        let exit = try XCTUnwrap(events.first { $0.kind == "agent_exit" })
        XCTAssertEqual(exit.payload["exit_code"], .int(0))
        XCTAssertEqual(exit.payload["exit_cause"], .string("clean"))
        XCTAssertEqual(exit.payload["timed_out"], .bool(false))
        XCTAssertEqual(
            events.last { $0.kind == "max_rounds_reached" }?.payload, ["rounds_completed": 2, "max_rounds": 2])
        XCTAssertEqual(events.filter { $0.kind == "round_start" }.map { $0.payload["round_num"] }, [.int(1), .int(2)])
        let usage = try XCTUnwrap(events.first { $0.kind == "agent_usage_recorded" })
        XCTAssertEqual(usage.payload["agent"], .string("claude"))
        XCTAssertEqual(usage.payload["input_tokens"], .int(5))
        // Files: transcripts, the live link, status, the agent's view of its environment.
        let transcripts = try FileManager.default.contentsOfDirectory(atPath: project.logDir + "/rounds").sorted()
        XCTAssertEqual(transcripts.map { String($0.prefix(3)) }, ["R1-", "R2-"], "\(transcripts)")
        XCTAssertTrue(
            transcripts.allSatisfy { $0.count == "R1-20261118T101010.log".count && $0.hasSuffix(".log") },
            "\(transcripts)")
        XCTAssertTrue(project.logFile("rounds/" + transcripts[0])?.contains(#""type":"result""#) ?? false)
        XCTAssertEqual(
            try FileManager.default.destinationOfSymbolicLink(atPath: project.logDir + "/round-current.log"),
            "rounds/" + transcripts[1], "the pointer names the last round's transcript")
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: project.logDir + "/round-1.log"),
            "no flat round-<N>.log any more")
        let status = try JSONParser.strict.parse(project.logFile("status.json") ?? "")
        XCTAssertEqual(status["round_num"], .int(2))
        XCTAssertEqual(status["last_exit_code"], .int(0))
        let env = project.logFile("fake-last-env.txt") ?? ""
        XCTAssertTrue(env.contains("AGENT_RUNNER_LOG_DIR=\(project.logDir)"), env)
        XCTAssertTrue(env.contains("AGENT_RUNNER_ROUND_NUM=2"), env)
        XCTAssertTrue(env.contains("PWD=\(project.dir)"), env)
        let prompt = project.logFile("fake-last-prompt.txt") ?? ""
        XCTAssertTrue(prompt.hasPrefix("```json round-context\n{\n  \"round_num\": 2,"), prompt)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: project.logDir + "/serve.pid"), "serve.pid is removed at exit")
        for state in ["status.json", "round-context.json"] {
            let mode =
                (try FileManager.default.attributesOfItem(atPath: project.logDir + "/" + state)[.posixPermissions]
                as? NSNumber)?.intValue
            XCTAssertEqual(mode, 0o600, "\(state) is private to the supervisor's user")
        }
        // A restarted serve continues the numbering.
        XCTAssertEqual(try project.run(["serve", "--once"]).code, 0)
        XCTAssertEqual(try project.events().last { $0.kind == "round_start" }?.payload["round_num"], .int(3))
    }

    func testCrashLoopStopsWithExit75AndRedactedReason() throws {
        let project = try AgentProject(self, modes: ["crash"])
        let result = try project.run(["serve"])
        XCTAssertEqual(result.code, ExitCode.crashLoop, result.stderr)
        XCTAssertTrue(result.stderr.contains("crash_loop"), result.stderr)
        let events = try project.events()
        XCTAssertEqual(events.filter { $0.kind == "agent_exit" }.count, 5)
        let crash = try XCTUnwrap(events.first { $0.kind == "crash_loop" })
        XCTAssertEqual(crash.payload["consecutive"], .int(5))
        XCTAssertEqual(crash.payload["exit_code"], .int(3))
        let reason = crash.payload["reason"]?.stringValue ?? ""
        XCTAssertTrue(reason.contains("something unknown broke"), reason)
        XCTAssertFalse(reason.contains("supersecretvalue"), reason)
        XCTAssertEqual(events.last?.kind, "serve_stopped")
        // The delays escalate: 0.1, 0.2, 0.4, 0.8 s between the five rounds.
        let starts = events.filter { $0.kind == "round_start" }.compactMap { $0.instant }
        let gaps = zip(starts.dropFirst(), starts).map {
            Double($0.seconds - $1.seconds) + Double($0.nanoseconds - $1.nanoseconds) / 1e9
        }
        XCTAssertEqual(gaps.count, 4)
        XCTAssertGreaterThan(gaps[3], gaps[0] * 3, "\(gaps)")
    }

    /// A repeated tool whose target holds a GitHub token straddling the 100-character cut: the
    /// anomaly_repetitive_tool event carries it redacted (redacted before the cut, and again by
    /// the event log). The log dir, made 0755 by someone else's umask, is tightened to 0700, and
    /// the transcript and event log are the owner's only (0600).
    func testRepeatedToolTargetIsRedactedAndTheLogDirIsPrivate() throws {
        let project = try AgentProject(
            self, modes: ["loopsecret"],
            extra: "[monitor]\nanomaly_repetitive_window = 10\nanomaly_repetitive_threshold = 3")
        try FileManager.default.createDirectory(
            atPath: project.logDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let result = try project.run(["serve", "--once"])
        XCTAssertEqual(result.code, 0, result.stderr)
        let events = try project.events()
        let anomaly = try XCTUnwrap(events.first { $0.kind == "anomaly_repetitive_tool" }, "\(events.map(\.kind))")
        let target = anomaly.payload["target"]?.stringValue ?? ""
        XCTAssertTrue(target.contains("<redacted>"), target)
        XCTAssertFalse(target.contains("0123456"), target)
        let names = try FileManager.default.contentsOfDirectory(atPath: project.logDir)
        for name in names where name.hasPrefix("events-") {
            let text = try String(contentsOfFile: project.logDir + "/" + name, encoding: .utf8)
            XCTAssertFalse(text.contains("ghp_0123456"), "no event carries the token")
            XCTAssertEqual(try Self.mode(project.logDir + "/" + name), 0o600, name)
        }
        XCTAssertEqual(try Self.mode(project.logDir), 0o700, "serve tightens its log dir")
        let rounds = try FileManager.default.contentsOfDirectory(atPath: project.logDir + "/rounds")
        XCTAssertFalse(rounds.isEmpty)
        for name in rounds { XCTAssertEqual(try Self.mode(project.logDir + "/rounds/" + name), 0o600, name) }
        XCTAssertEqual(try Self.mode(project.logDir + "/rounds"), 0o700)
        // The transcript keeps the token (it is the agent's record); peek, a sink, does not.
        let peek = try project.run(["peek", "--json", "--round", "latest", "--log", "--events", "20"])
        XCTAssertEqual(peek.code, 0, peek.stderr)
        XCTAssertTrue(peek.stdout.contains("gh api --paginate") && peek.stdout.contains("<redacted>"), peek.stdout)
        XCTAssertFalse(peek.stdout.contains("ghp_0123456"), peek.stdout)
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return ((attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o777
    }

    func testHardTimeoutKillsTheWholeGroupIncludingEscapedChildren() throws {
        let project = try AgentProject(self, modes: ["escape"], runtime: ["round_timeout_s = 1"])
        let result = try project.run(["serve", "--once"])
        XCTAssertEqual(result.code, 0, result.stderr)
        let events = try project.events()
        let exit = try XCTUnwrap(events.first { $0.kind == "agent_exit" })
        XCTAssertEqual(exit.payload["timed_out"], .bool(true))
        XCTAssertEqual(exit.payload["exit_cause"], .string("timeout"))
        XCTAssertEqual(
            events.first { $0.kind == "round_timeout_kill" }?.payload["reason"], .string("exceeded round_timeout_s=1"))
        let escaped = try XCTUnwrap(
            Int32((project.logFile("fake-escaped-pid") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)))
        try AgentProject.wait("the setsid'd grandchild to die", timeout: 5) { !ProcessTree.isAlive(escaped) }
        let kinds = try project.kinds()
        XCTAssertEqual(
            Array(kinds.drop { $0 != "agent_exit" }.prefix(3)), ["agent_exit", "round_timeout_kill", "round_end"])
    }

    func testGraceKillAfterResultAndGraceExtendedForLiveChildren() throws {
        let exec = try AgentProject(
            self, modes: ["linger_exec"], runtime: ["round_timeout_s = 30", "max_grace_after_result_s = 1"])
        XCTAssertEqual(try exec.run(["serve", "--once"]).code, 0)
        let exit = try XCTUnwrap(try exec.first("agent_exit"))
        XCTAssertEqual(exit.payload["exit_cause"], .string("grace_kill"))
        XCTAssertEqual(exit.payload["timed_out"], .bool(true))
        XCTAssertLessThan(exit.payload["duration_s"]?.doubleValue ?? 99, 10)
        XCTAssertEqual(try exec.first("round_grace_kill")?.payload["grace_s"], .int(1))

        let child = try AgentProject(
            self, modes: ["linger"], runtime: ["round_timeout_s = 4", "max_grace_after_result_s = 1"])
        XCTAssertEqual(try child.run(["serve", "--once"]).code, 0)
        let extended = try XCTUnwrap(try child.first("round_grace_extended"))
        let live = extended.payload["live_children"]?.arrayValue ?? []
        XCTAssertEqual(live.first?["name"], .string("sleep"), "\(extended.raw)")
        XCTAssertEqual(extended.payload["ignored_children"], .array([]))
        XCTAssertNotNil(try child.first("round_timeout_kill"))
        XCTAssertEqual(try child.first("agent_exit")?.payload["exit_cause"], .string("timeout"))

        let ignored = try AgentProject(
            self, modes: ["linger"],
            runtime: [
                "round_timeout_s = 20", "max_grace_after_result_s = 1",
                #"grace_kill_ignore_patterns = ["^sleep 1000$"]"#,
            ])
        XCTAssertEqual(try ignored.run(["serve", "--once"]).code, 0)
        XCTAssertEqual(
            try ignored.first("agent_exit")?.payload["exit_cause"], .string("grace_kill"),
            "an ignored helper does not hold the round open")
    }

    func testRateLimitWithResetIsHonouredAndRecorded() throws {
        let project = try AgentProject(
            self, modes: ["fivehour", "ok"], runtime: ["backoff_jitter_s = 0", "max_rounds = 2"])
        let result = try project.run(["serve"], environment: ["FAKE_RESET_IN": "2"])
        XCTAssertEqual(result.code, 0, result.stderr)
        let events = try project.events()
        let detected = try XCTUnwrap(events.first { $0.kind == "transient_error_detected" })
        XCTAssertEqual(detected.payload["classification"], .string("rate_limit_account"))
        XCTAssertEqual(detected.payload["agent"], .string("claude"))
        let reset = detected.payload["reset_at_epoch"]?.intValue ?? 0
        let recovered = try XCTUnwrap(events.first { $0.kind == "transient_error_recovered" })
        XCTAssertGreaterThanOrEqual(recovered.instant?.seconds ?? 0, reset, "no round before the server's reset")
        let secondStart = try XCTUnwrap(events.last { $0.kind == "round_start" })
        XCTAssertGreaterThanOrEqual(secondStart.instant?.seconds ?? 0, reset)
        XCTAssertNil(events.first { $0.kind == "crash_loop" })
    }

    func testTransientStopActionEndsServeCleanly() throws {
        let project = try AgentProject(self, modes: ["429"], runtime: [#"transient_error_action = "stop""#])
        let result = try project.run(["serve"])
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertEqual(
            try project.first("transient_error_detected")?.payload["classification"], .string("rate_limit_model"))
        XCTAssertFalse(
            try project.first("transient_error_detected")?.payload["raw"]?.stringValue?.contains("sk-ant") ?? true)
        XCTAssertEqual(try project.first("agent_self_terminated")?.payload["reason"], .string("transient_error"))
        // The throttle survives a restart: a new serve stops again without running a round.
        let again = try project.run(["serve"])
        XCTAssertEqual(again.code, 0)
        XCTAssertEqual(try project.events().filter { $0.kind == "round_start" }.count, 1)
    }

    func testAuthAndNetworkFailuresAreClassified() throws {
        let project = try AgentProject(self, modes: ["auth", "net"], runtime: ["max_rounds = 2"])
        XCTAssertEqual(try project.run(["serve"]).code, 0)
        let events = try project.events()
        let auth = try XCTUnwrap(events.first { $0.kind == "agent_auth_error_detected" })
        XCTAssertEqual(auth.payload["round_num"], .int(1))
        XCTAssertTrue(auth.payload["raw"]?.stringValue?.contains("401") ?? false, auth.raw)
        let blip = try XCTUnwrap(events.first { $0.kind == "agent_network_blip" })
        XCTAssertEqual(blip.payload["round_num"], .int(2))
        XCTAssertEqual(blip.payload["matched"]?.stringValue?.lowercased(), "econnrefused")
    }

    func testDirtyTreeIsStashedBySHAAndOfferedToTheNextRound() throws {
        let project = try AgentProject(self, modes: ["dirty", "ok"], runtime: ["max_rounds = 2"])
        XCTAssertEqual(try project.run(["serve"]).code, 0)
        let events = try project.events()
        XCTAssertEqual(events.first { $0.kind == "dirty_detected" }?.payload["files"], .array(["scratch-work.txt"]))
        let stashed = try XCTUnwrap(events.first { $0.kind == "orphan_stashed" })
        let sha = try project.git(["stash", "list", "-1", "--format=%H"]).trimmingCharacters(
            in: .whitespacesAndNewlines)
        XCTAssertEqual(stashed.payload["ref"], .string(sha))
        XCTAssertEqual(try project.git(["status", "--porcelain"]), "", "the tree is clean after the stash")
        let prompt = project.logFile("fake-last-prompt.txt") ?? ""
        XCTAssertTrue(prompt.contains("\"orphan_stash\""), prompt)
        XCTAssertTrue(prompt.contains(sha), prompt)
        XCTAssertNil(project.logFile("orphan-state.json"), "a clean round clears the orphan state")
        XCTAssertFalse(
            try project.git(["stash", "show", "--include-untracked", "--name-only", sha]).contains("agent-runner.toml"))
    }

    func testAutoCommit() throws {
        let project = try AgentProject(self, modes: ["dirty"], extra: "[vcs]\ndirty_action = \"auto_commit\"\n")
        XCTAssertEqual(try project.run(["serve", "--once"]).code, 0)
        let committed = try XCTUnwrap(try project.first("dirty_auto_committed"))
        let head = try project.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(committed.payload["ref"], .string(head))
        XCTAssertEqual(try project.git(["log", "-1", "--format=%s"]), "agent-runner auto-commit: R1\n")
    }

    func testStopTriggers() throws {
        let done = try AgentProject(self, modes: ["done"])
        XCTAssertEqual(try done.run(["serve"]).code, 0)
        XCTAssertEqual(try done.first("agent_self_terminated")?.payload["reason"], .string("all tasks complete\n"))
        // The sentinel is removed at the next boot, so a fresh serve runs.
        try done.setModes(["ok"])
        XCTAssertEqual(try done.run(["serve", "--once"]).code, 0)
        XCTAssertEqual(try done.events().filter { $0.kind == "round_start" }.count, 2)

        let stop = try AgentProject(self, modes: ["ok"], runtime: [#"stop_file = "STOP""#])
        try Harness.write("maintenance window", to: stop.dir + "/STOP")
        XCTAssertEqual(try stop.run(["serve"]).code, 0)
        let detected = try XCTUnwrap(try stop.first("stop_file_detected"))
        XCTAssertEqual(detected.payload["stop_file"], .string(stop.dir + "/STOP"))
        XCTAssertEqual(detected.payload["content"], .string("maintenance window"))
        XCTAssertEqual(detected.payload["rounds_completed"], .int(0))
    }

    func testBrokenConfigHaltsWithExit78() throws {
        let project = try AgentProject(self, prompt: "too short")
        let result = try project.run(["serve"])
        XCTAssertEqual(result.code, ExitCode.config, result.stderr)
        XCTAssertTrue(
            result.stderr.contains("STARTUP FAIL: prompt_smoke_passes: prompt is 9 bytes < 500 minimum"), result.stderr)
        XCTAssertEqual(
            try project.kinds(),
            ["serve_started", "host_cgroup_memory_limit", "smoke_check_failed", "config_broken", "serve_stopped"])
        let missingAgent = try AgentProject(self)
        try FileManager.default.removeItem(atPath: missingAgent.dir + "/bin/claude")
        let missing = try missingAgent.run(["serve"])
        XCTAssertEqual(missing.code, ExitCode.config)
        XCTAssertTrue(missing.stderr.contains("agent_cli_in_path"), missing.stderr)
        let invalid = try AgentProject(self, runtime: ["round_timeout_s = \"long\""])
        let config = try invalid.run(["serve"])
        XCTAssertEqual(config.code, ExitCode.config)
        XCTAssertEqual(
            config.stderr,
            "agent-runner: config error: agent-runner.toml:12: runtime.round_timeout_s: must be an integer from 1 to 604800, got the string \"long\"\n"
        )
    }

    func testSecondServeIsRefusedAndSIGTERMDrainsTheRound() throws {
        let project = try AgentProject(self, modes: ["slow"])
        let serve = try project.startServe()
        try AgentProject.wait("the round to start") { (try? project.first("agent_spawn")) != nil }
        let second = try project.run(["serve"])
        XCTAssertEqual(second.code, ExitCode.failure)
        XCTAssertTrue(second.stderr.contains("serve already running for \(project.dir)"), second.stderr)
        kill(serve.pid, SIGTERM)
        let status = serve.wait()
        XCTAssertEqual(status, .terminated(0))
        let kinds = try project.kinds()
        XCTAssertEqual(
            Array(kinds.suffix(3)), ["agent_exit", "round_end", "serve_stopped"],
            "the round finished before serve exited")
        XCTAssertEqual(try project.first("agent_exit")?.payload["exit_code"], .int(0))
        let agentPid = try XCTUnwrap(
            Int32(
                project.logFile("fake-runs")?.split(separator: " ").last?.trimmingCharacters(
                    in: .whitespacesAndNewlines) ?? ""))
        XCTAssertTrue(
            ProcessTree.processGroupMembers(agentPid).filter { ProcessTree.isAlive($0) }.isEmpty,
            "no agent process remains")
    }

    func testKill9MidRoundThenCleanRestart() throws {
        let project = try AgentProject(self, modes: ["hang", "ok"])
        let serve = try project.startServe()
        try AgentProject.wait("the agent to start") { project.logFile("fake-runs") != nil }
        kill(serve.pid, SIGKILL)
        _ = serve.wait()
        let staleAgent = try XCTUnwrap(
            Int32(
                project.logFile("fake-runs")?.split(separator: " ").last?.trimmingCharacters(
                    in: .whitespacesAndNewlines) ?? ""))
        XCTAssertTrue(ProcessTree.isAlive(staleAgent), "the agent outlives a kill -9 of serve")
        let result = try project.run(["serve", "--once"])
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertFalse(ProcessTree.isAlive(staleAgent), "the next serve kills the stale agent first")
        let events = try project.events()
        XCTAssertEqual(events.first { $0.kind == "stale_agent_killed" }?.payload["pid"], .int(Int64(staleAgent)))
        XCTAssertEqual(events.filter { $0.kind == "round_start" }.map { $0.payload["round_num"] }, [.int(1), .int(2)])
    }

    func testHooks() throws {
        let failing = try AgentProject(
            self, extra: "[hooks]\nserve_startup = [[\"sh\", \"-c\", \"echo seeding failed >&2; exit 4\"]]\n")
        let result = try failing.run(["serve"])
        XCTAssertEqual(result.code, ExitCode.failure)
        let failed = try XCTUnwrap(try failing.first("serve_startup_hook_failed"))
        XCTAssertEqual(failed.payload["hook"], .string("sh"))
        XCTAssertEqual(failed.payload["exit_code"], .int(4))
        XCTAssertEqual(failed.payload["stderr_tail"], .string("seeding failed"))
        XCTAssertNil(try failing.first("round_start"))

        let rewriting = try AgentProject(
            self,
            extra: """
                [hooks]
                pre_round = [{ name = "rewrite", command = ["sh", "-c", "printf ' extra' >> prompts/main.md"] }]
                """)
        XCTAssertEqual(try rewriting.run(["serve", "--once"]).code, 0)
        let overwritten = try XCTUnwrap(try rewriting.first("prompt_overwritten"))
        XCTAssertEqual(overwritten.payload["hook"], .string("rewrite"))
        XCTAssertNotEqual(overwritten.payload["old_hash"], overwritten.payload["new_hash"])
        XCTAssertTrue(
            rewriting.logFile("fake-last-prompt.txt")?.hasSuffix(" extra") ?? false,
            "the agent got the rewritten prompt")
    }

    func testPhaseRotationWithArgvDeliveryAndPerPhasePrompts() throws {
        let project = try AgentProject(
            self, runtime: ["max_rounds = 3"],
            extra: """
                [phases]
                list = ["diverge", "converge"]
                [phases.converge]
                round_timeout_s = 7
                prompt.files = ["prompts/converge.md"]
                [phases.converge.agent]
                command = ["./bin/claude"]
                prompt_delivery = "argv"
                prompt_arg_template = ["--message", "{prompt}"]
                """)
        try Harness.write(
            String(repeating: "Converge on one recommendation and write it down. ", count: 12),
            to: project.dir + "/prompts/converge.md")
        try project.git(["add", "-A"])
        try project.git(["commit", "-q", "-m", "converge prompt"])
        XCTAssertEqual(try project.run(["serve"]).code, 0)
        let events = try project.events()
        XCTAssertEqual(
            events.filter { $0.kind == "round_start" }.map { $0.payload["phase"] },
            [.string("diverge"), .string("converge"), .string("diverge")])
        XCTAssertEqual(
            events.filter { $0.kind == "agent_spawn" }.map { $0.payload["timeout_s"] },
            [.int(1800), .int(7), .int(1800)])
        XCTAssertEqual(
            events.filter { $0.kind == "round_start" }.map { $0.payload["config_changed"] },
            [.bool(false), .bool(true), .bool(true)])
        // Round 3 (diverge) used stdin; round 2 (converge) passed the prompt as an argument.
        XCTAssertTrue(project.logFile("fake-last-prompt.txt")?.contains("Work carefully") ?? false)
        let round2 = project.transcript(2)
        XCTAssertTrue(round2.contains("fake-agent argv: --message ```json round-context"), round2)
        XCTAssertTrue(round2.contains("Converge on one recommendation"), round2)
    }

    /// Retention counts rounds of both layouts (our earlier flat round-<N>.log, rounds/R<N>-*.log)
    /// by mtime, a round's files together, the new round included; numbering continues past the
    /// highest N of either.
    func testRoundLogRetentionAtBootWithBulkGuard() throws {
        let project = try AgentProject(self, runtime: ["round_log_retention = 2"])
        try FileManager.default.createDirectory(atPath: project.logDir + "/rounds", withIntermediateDirectories: true)
        let old = ["round-1.log", "rounds/R2-20261101T000000.log", "round-2.log", "rounds/R3-20261101T000100.log"]
        for (index, name) in old.enumerated() {
            try Harness.write("old \(name)", to: project.logDir + "/" + name)
            let date = Date(timeIntervalSinceNow: Double(index - 10) * 60)
            try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: project.logDir + "/" + name)
        }
        XCTAssertEqual(try project.run(["serve", "--once"]).code, 0)
        XCTAssertEqual(
            try Self.roundLogs(project.logDir),
            ["rounds/R3-20261101T000100.log", "rounds/R4-"],
            "rounds 1 and 2 (both of round 2's files) are pruned before round 4: two rounds with it")

        let backlog = try AgentProject(self, runtime: ["round_log_retention = 1"])
        try FileManager.default.createDirectory(atPath: backlog.logDir, withIntermediateDirectories: true)
        for round in 1...5 { try Harness.write("old", to: backlog.logDir + "/round-\(round).log") }
        XCTAssertEqual(try backlog.run(["serve", "--once"]).code, 0)
        let deferred = try XCTUnwrap(try backlog.first("round_logs_prune_deferred"))
        XCTAssertEqual(deferred.payload["existing"], .int(5))
        XCTAssertEqual(deferred.payload["would_delete"], .int(5))
        XCTAssertTrue(
            deferred.payload["hint"]?.stringValue?.contains("agent-runner prune --yes --config ") ?? false,
            "\(deferred.payload)")
        XCTAssertEqual(try Self.roundLogs(backlog.logDir).count, 6)
    }

    /// The round logs of both layouts, sorted, with this run's transcripts cut to `rounds/R<N>-`.
    static func roundLogs(_ logDir: String) throws -> [String] {
        let flat = try FileManager.default.contentsOfDirectory(atPath: logDir)
            .filter { $0.hasPrefix("round-") && $0.hasSuffix(".log") && $0 != "round-current.log" }
        let rounds = ((try? FileManager.default.contentsOfDirectory(atPath: logDir + "/rounds")) ?? [])
            .map { "rounds/" + ($0.hasPrefix("R4-") ? "R4-" : $0) }
        return (flat + rounds).sorted()
    }

    /// Exit codes, and one result line on stdout (one JSON Lines object with --json) per round:
    /// a round by hand never ends in silence.
    func testRoundVerbExitCodesAndResultLine() throws {
        let project = try AgentProject(self, modes: ["ok", "crash", "hang"], runtime: ["round_timeout_s = 1"])
        let ok = try project.run(["round"])
        XCTAssertEqual(ok.code, 0)
        let log = try XCTUnwrap(project.transcriptPath(1))
        XCTAssertTrue(ok.stdout.hasPrefix("round 1 (claude): ok, exit 0 (clean) after "), ok.stdout)
        XCTAssertTrue(ok.stdout.hasSuffix(" s; log \(log)\n") || ok.stdout.hasSuffix(" ms; log \(log)\n"), ok.stdout)

        let crash = try project.run(["round", "--json"])
        XCTAssertEqual(crash.code, 1)
        XCTAssertEqual(crash.stdout.filter { $0 == "\n" }.count, 1, crash.stdout)
        let json = try JSONParser.strict.parse(crash.stdout)
        XCTAssertEqual(
            json.objectValue?.keys,
            ["round", "phase", "agent", "outcome", "exit_code", "exit_cause", "duration_s", "log"])
        XCTAssertEqual(json["round"], .int(2))
        XCTAssertEqual(json["outcome"], .string("failed"))
        XCTAssertEqual(json["phase"], .null)
        XCTAssertNotEqual(json["exit_code"], .int(0))

        let hang = try project.run(["round"])
        XCTAssertEqual(hang.code, 0, "a timed-out round is the supervisor's doing, not a crash")
        XCTAssertTrue(hang.stdout.hasPrefix("round 3 (claude): stopped at the round timeout after "), hang.stdout)

        let short = try AgentProject(self, prompt: "stub")
        let stub = try short.run(["round"])
        XCTAssertEqual(stub.code, ExitCode.config)
        XCTAssertEqual(stub.stdout, "round 1 (claude): not started, 1 startup check failed (prompt_smoke_passes)\n")
        let stubJSON = try short.run(["round", "--json"])
        XCTAssertEqual(
            stubJSON.stdout,
            #"{"round":1,"phase":null,"agent":"claude","outcome":"not_started","failed_checks":["prompt_smoke_passes"]}"#
                + "\n")
    }
}
