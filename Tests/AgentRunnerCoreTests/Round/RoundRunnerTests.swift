import FleetCore
import Foundation
import Synchronization
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// One round on a fake clock with a stand-in agent and scripted git: the events in the
/// original's order, the files, what is spawned and run, and how the round's end is handled.
final class RoundRunnerTests: XCTestCase {
    let usage = #"{"type":"result","is_error":false,"usage":{"input_tokens":5,"output_tokens":6},"duration_ms":10}"#

    func runner(
        _ project: ProjectFixture, _ agents: StandInAgents, clock: FakeClock = FakeClock(),
        stderr: CapturedOutput = CapturedOutput()
    ) -> RoundRunner {
        addTeardownBlock { agents.killLeftovers() }
        let effects = Effects.fake(clock: clock, processes: agents, fileSystem: UnsyncedDisk())
        let events = EventSink(logDir: project.logDir, clock: clock.wallClock, stderr: stderr)
        return RoundRunner(
            config: project.config, events: events, effects: effects, environment: project.environment,
            stderr: stderr)
    }

    /// A serve killed after a round's `round_start` and before its transcript or status: the
    /// next serve must not number its round the same (FaultTests' kill -9 found it, under load).
    func testARoundStartWithoutTranscriptOrStatusStillAdvancesTheNumbering() throws {
        let project = try ProjectFixture(self)
        let agents = StandInAgents([.exits(0, output: usage + "\n")])
        let rounds = runner(project, agents)
        _ = rounds.run(round: 1)
        let events = EventSink(logDir: project.logDir, clock: FakeClock().wallClock, stderr: CapturedOutput())
        events.emit(RoundStart(roundNum: 2, phase: nil, configDigest: "d", change: nil))
        XCTAssertEqual(rounds.nextRoundNumber(), 3, "round 2 started, even though only the event log says so")
    }

    func testACleanRoundWritesItsEventsAndFilesInTheOriginalOrder() throws {
        let project = try ProjectFixture(self)
        let agents = StandInAgents([.exits(0, output: usage + "\n")])
        let rounds = runner(project, agents)
        XCTAssertEqual(rounds.nextRoundNumber(), 1)
        let result = rounds.run(round: 1)

        let clean = AgentExit(
            status: .terminated(0), durationS: 0, timedOut: false, graceKilled: false,
            graceExtended: false)
        XCTAssertEqual(result.kind, .ran(clean))
        XCTAssertEqual(
            try project.kinds(),
            [
                "round_substrate_before", "round_start", "agent_spawn", "agent_exit", "round_end",
                "agent_usage_recorded",
                "round_substrate_after",
            ])
        XCTAssertEqual(try project.payloads(.agentExit).first?["exit_cause"], "clean")
        XCTAssertEqual(try project.payloads(.roundStart).first?["config_changed"], false)
        XCTAssertEqual(rounds.nextRoundNumber(), 2, "status.json and rounds/R1-*.log continue the numbering")
        // The transcript is named by the round's UTC start on the (fake) wall clock, as the original names it.
        let transcript = try XCTUnwrap(RoundLogs(logDir: project.logDir).transcript(forRound: 1))
        XCTAssertEqual(transcript, project.logDir + "/rounds/R1-" + (transcript.split(separator: "-").last ?? ""))
        XCTAssertTrue(transcript.hasSuffix(".log") && transcript.contains("/rounds/R1-20261118T"), transcript)
        XCTAssertEqual(try String(contentsOfFile: transcript, encoding: .utf8), usage + "\n")
        XCTAssertEqual(
            try FileManager.default.destinationOfSymbolicLink(atPath: project.logDir + "/round-current.log"),
            "rounds/" + (transcript.split(separator: "/").last ?? ""),
            "the pointer names the live transcript")
        let context = try String(contentsOfFile: project.logDir + "/round-context.json", encoding: .utf8)
        XCTAssertTrue(context.hasPrefix("{\n  \"round_num\": 1,\n  \"started_at\": \"2026-11-18T"), context)
        XCTAssertFalse(FileManager.default.fileExists(atPath: project.logDir + "/agent.pid"), "removed after the round")

        let spawn = try XCTUnwrap(agents.spawns.first)
        XCTAssertEqual(spawn.executable, "/bin/sh")
        XCTAssertEqual(spawn.workingDirectory, project.workDir)
        XCTAssertEqual(spawn.environment["AGENT_RUNNER_ROUND_NUM"], "1")
        XCTAssertEqual(spawn.grouping, .newProcessGroup)
        guard case .bytes(let stdin) = spawn.standardInput else { return XCTFail("the prompt goes on stdin") }
        XCTAssertTrue(String(decoding: stdin, as: UTF8.self).hasSuffix("commit your changes. "))
    }

    func testGitRunsWithItsTimeoutsOnTheInjectedClock() throws {
        let project = try ProjectFixture(self)
        let clock = FakeClock()
        let agents = StandInAgents([.exits(0)])
        _ = runner(project, agents, clock: clock).run(round: 1)
        let status = try XCTUnwrap(agents.scripted.requests.first { $0.arguments.contains("status") })
        XCTAssertEqual(status.executable, "git")
        XCTAssertEqual(status.arguments.prefix(4), ["-c", "core.quotepath=false", "status", "--porcelain=v2"])
        XCTAssertEqual(status.deadline, clock.now + .seconds(10))
        XCTAssertEqual(status.environment["GIT_TERMINAL_PROMPT"], "0")
    }

    func testATimedOutRoundSaysSoAfterTheAgentsExit() throws {
        let project = try ProjectFixture(self, runtime: ["round_timeout_s = 2"])
        let clock = FakeClock()
        let result = runner(project, StandInAgents([.runs(output: "thinking")]), clock: clock).run(round: 1)
        guard case .ran(let exit) = result.kind else { return XCTFail("\(result.kind)") }
        XCTAssertEqual(exit.durationS, 2.2)
        XCTAssertEqual(
            Array(try project.kinds().drop { $0 != "agent_exit" }.prefix(3)),
            ["agent_exit", "round_timeout_kill", "round_end"])
        XCTAssertEqual(try project.payloads(.roundTimeoutKill).first?["reason"], "exceeded round_timeout_s=2")
        XCTAssertEqual(try project.payloads(.agentSpawn).first?["timeout_s"], 2)
    }

    func testAnAgentThatCannotStartEndsTheRoundWithExit127() throws {
        let project = try ProjectFixture(self)
        let stderr = CapturedOutput()
        let result = runner(project, StandInAgents([.unstartable]), stderr: stderr).run(round: 1)
        guard case .spawnFailed(let message) = result.kind else { return XCTFail("\(result.kind)") }
        XCTAssertTrue(message.hasPrefix("cannot start the agent: "), message)
        XCTAssertEqual(try project.payloads(.agentExit).first?["exit_code"], 127)
        XCTAssertEqual(try project.kinds().last, "round_substrate_after")
        let path = try XCTUnwrap(RoundLogs(logDir: project.logDir).transcript(forRound: 1))
        let transcript = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(transcript.hasPrefix("agent-runner: cannot start the agent"), transcript)
        XCTAssertTrue(stderr.text.contains("cannot start the agent"), stderr.text)
    }

    func testNetworkAndAuthFailuresAreClassifiedFromTheTranscript() throws {
        let project = try ProjectFixture(self)
        let agents = StandInAgents([
            .exits(1, output: "Error: connect ECONNREFUSED 127.0.0.1:443\n"),
            .exits(1, output: "HTTP 401 Unauthorized\n"),
        ])
        let rounds = runner(project, agents)
        _ = rounds.run(round: 1)
        _ = rounds.run(round: 2)
        let blip = try XCTUnwrap(project.payloads(.agentNetworkBlip).first)
        XCTAssertEqual(blip["round_num"], 1)
        XCTAssertEqual(blip["matched"], "ECONNREFUSED")
        XCTAssertEqual(try project.payloads(.agentAuthErrorDetected).map { $0["round_num"] }, [2])
    }

    /// aider exits 0 after every provider error: its own classifier reads the text, so a refused
    /// connection is a network blip and a transient error, and a 401 is an auth failure whose
    /// usage is no success, all under the agent name `aider`.
    func testEachRoundIsReadByTheClassifierOfItsAgentWhateverItsExitCode() throws {
        let project = try ProjectFixture(self, agentName: "aider")
        let header = "Aider v0.86.2\nModel: openai/gpt-4o-mini with whole edit format\n\n"
        let refused =
            header + "litellm.InternalServerError: InternalServerError: OpenAIException - Connection error.\n"
            + "The API provider's servers are down or overloaded.\n"
        let unauthorized =
            header + "Tokens: 677 sent, 0 received.\n"
            + "litellm.AuthenticationError: AuthenticationError: OpenAIException - Incorrect API key provided.\n"
            + "The API provider is not able to authenticate you. Check your API key.\n"
        let rounds = runner(project, StandInAgents([.exits(0, output: refused), .exits(0, output: unauthorized)]))
        let first = rounds.run(round: 1)
        XCTAssertEqual(first.agent, "aider")
        XCTAssertEqual(first.transient?.classification, .networkError)
        XCTAssertTrue(first.analysis.reportedError)
        let second = rounds.run(round: 2)
        XCTAssertNotNil(second.analysis.authFailure)

        let blip = try XCTUnwrap(project.payloads(.agentNetworkBlip).first)
        XCTAssertEqual(blip["round_num"], 1)
        XCTAssertEqual(blip["exit_code"], 0, "reported whatever the exit code")
        XCTAssertEqual(try project.payloads(.transientErrorDetected).map { $0["agent"] }, ["aider"])
        XCTAssertEqual(try project.payloads(.agentAuthErrorDetected).map { $0["agent"] }, ["aider"])
        let usage = try XCTUnwrap(project.payloads(.agentUsageRecorded).first)
        XCTAssertEqual(usage["agent"], "aider")
        XCTAssertEqual(usage["model"], "openai/gpt-4o-mini")
        XCTAssertEqual(usage["success"], false, "exit 0, but the output reports an error")
    }

    func testWorkLeftByACleanRoundIsStashedBySHA() throws {
        let project = try ProjectFixture(self)
        let git = StashingGit(sha: String(repeating: "c", count: 40))
        let agents = StandInAgents([.exits(0), .exits(1)], run: git.answer)
        let clock = FakeClock()
        let rounds = runner(project, agents, clock: clock)
        _ = rounds.run(round: 1)
        XCTAssertEqual(try project.payloads(.dirtyDetected), [["round_num": 1, "files": ["scratch.txt"]]])
        XCTAssertEqual(
            try project.payloads(.orphanStashed),
            [["round_num": 1, "ref": .string(git.sha), "reason": "clean_exit_with_dirty_tree"]])
        let push = try XCTUnwrap(agents.scripted.requests.first { $0.arguments.contains("push") })
        // check-ignore says the config and prompt are ignored, so no pathspec is needed to keep them.
        XCTAssertEqual(
            push.arguments,
            [
                "-c", "core.quotepath=false", "stash", "push", "-u", "-m",
                "ORPHAN R1 ts=2026-11-18T11:06:40",
            ])
        let orphan = try XCTUnwrap(OrphanState.read(logDir: project.logDir, fileSystem: LocalFileSystem()))
        XCTAssertEqual(orphan.stashedRef, git.sha)
        XCTAssertEqual(orphan.files, ["scratch.txt"])

        // A failed round's tree is reported but left alone for the next round to see.
        _ = rounds.run(round: 2)
        XCTAssertEqual(try project.payloads(.dirtyDetected).count, 2)
        XCTAssertEqual(try project.payloads(.orphanStashed).count, 1)
        XCTAssertEqual(agents.scripted.requests.filter { $0.arguments.contains("push") }.count, 1)
    }

    func testHooksAroundTheRound() throws {
        let project = try ProjectFixture(
            self,
            extra: """
                [hooks]
                pre_round = [{ name = "rewrite", command = ["rewrite-prompt"] }]
                post_round = [["notify"]]
                """)
        let prompt = project.workDir + "/prompts/main.md"
        let agents = StandInAgents(
            [.exits(0)],
            run: { request in
                switch request.executable {
                case "rewrite-prompt":
                    let handle = FileHandle(forWritingAtPath: prompt)
                    handle?.seekToEndOfFile()
                    handle?.write(Data(" Extra.".utf8))
                    handle?.closeFile()
                    return .finished(0)
                case "notify":
                    return .finished(2, stderr: "no webhook\n")
                default:
                    return try StandInAgents.cleanTree(request)
                }
            })
        _ = runner(project, agents).run(round: 1)
        let overwritten = try XCTUnwrap(project.payloads(.promptOverwritten).first)
        XCTAssertEqual(overwritten["hook"], "rewrite")
        XCTAssertNotEqual(overwritten["old_hash"], overwritten["new_hash"])
        let failed = try XCTUnwrap(project.payloads(.hookFailed).first)
        XCTAssertEqual(failed["hook_name"], "notify")
        XCTAssertEqual(failed["hook_kind"], "post_round")
        XCTAssertEqual(failed["error_message"], "no webhook")
        guard case .bytes(let stdin) = agents.spawns.first?.standardInput else { return XCTFail("no prompt") }
        XCTAssertTrue(String(decoding: stdin, as: UTF8.self).hasSuffix(" Extra."), "the agent got the rewritten prompt")
        let notify = try XCTUnwrap(agents.scripted.requests.first { $0.executable == "notify" })
        XCTAssertEqual(notify.environment["AGENT_RUNNER_EXIT_CODE"], "0")
        XCTAssertEqual(
            notify.environment["AGENT_RUNNER_ROUND_LOG"],
            RoundLogs(logDir: project.logDir).transcript(forRound: 1))
    }

    func testAChangedPromptShowsInTheNextRoundStart() throws {
        let project = try ProjectFixture(self)
        let rounds = runner(project, StandInAgents([.exits(0), .exits(0)]))
        _ = rounds.run(round: 1)
        let longer = String(repeating: "A different, longer prompt for the agent. ", count: 14)
        try project.write(longer, to: "prompts/main.md")
        _ = rounds.run(round: 2)
        let starts = try project.payloads(.roundStart)
        XCTAssertEqual(starts.map { $0["config_changed"] }, [false, true])
        XCTAssertEqual(starts[1]["config_prompt_files"], .array([.string(project.workDir + "/prompts/main.md")]))
        XCTAssertNotEqual(starts[0]["config_digest"], starts[1]["config_digest"])
    }
}

/// git with an untracked file after every round, and a stash that `stash push` creates.
final class StashingGit: Sendable {
    let sha: String
    private let pushed = Mutex<String?>(nil)

    init(sha: String) {
        self.sha = sha
    }

    var answer: ScriptedProcessRunner.RunHandler {
        { [self] request in
            let arguments = request.arguments
            if arguments.contains("status") {
                return .finished(0, stdout: "# branch.oid (initial)\0? scratch.txt\0")
            }
            if let push = arguments.firstIndex(of: "push"), let message = arguments.dropFirst(push).dropFirst(3).first {
                pushed.withLock { $0 = message }
                return .finished(0)
            }
            if arguments.contains("list") {
                let message = pushed.withLock { $0 }
                return .finished(0, stdout: message.map { "\(sha)\0\(1_795_000_000)\0On main: \($0)\n" } ?? "")
            }
            return .finished(0)
        }
    }
}
