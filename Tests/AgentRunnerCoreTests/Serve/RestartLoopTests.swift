import FleetCore
import Foundation
import Synchronization
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// The restart loop on a fake clock with stand-in agents: the exact schedule of restarts, the
/// breakers and the stop triggers, in milliseconds. (ServeTests proves the same paths with the
/// real binary and real time.)
final class RestartLoopTests: XCTestCase {
    let round = [
        "round_substrate_before", "round_start", "agent_spawn", "agent_exit", "round_end", "round_substrate_after",
    ]

    func serve(
        _ project: ProjectFixture, _ agents: StandInAgents, clock: AlarmClock = AlarmClock(),
        random: any RandomSource = UnusableRandom(), fileSystem: any FileSystem = UnsyncedDisk(),
        stop: StopRequest = .isolated(), options: Supervisor.Options = .init(),
        stderr: CapturedOutput = CapturedOutput()
    ) -> Int32 {
        addTeardownBlock { agents.killLeftovers() }
        let effects = Effects.standIn(clock: clock, agents: agents, random: random, fileSystem: fileSystem)
        return Supervisor(
            config: project.config, effects: effects, environment: project.environment, stderr: stderr,
            stop: stop, memory: ScriptedMemory(clock: clock.fake).source
        ).run(options)
    }

    func testFiveShortCrashesTripTheBreakerAfterDelaysOf2To16Seconds() throws {
        let project = try ProjectFixture(self)
        let crash = StandInAgents.StandIn.exits(3, output: "something unknown broke; token=sk-ant-supersecretvalue\n")
        let clock = AlarmClock()
        let stderr = CapturedOutput()
        let code = serve(project, StandInAgents(Array(repeating: crash, count: 5)), clock: clock, stderr: stderr)

        XCTAssertEqual(code, ExitCode.crashLoop)
        XCTAssertEqual(try project.gaps(between: .roundStart), [2, 4, 8, 16], "restart_delay_s × 2^streak")
        XCTAssertEqual(clock.fake.elapsed, .seconds(30))
        XCTAssertEqual(Set(clock.fake.sleeps), [StopTriggers.tick], "the back-off sleeps in ticks that watch for stops")
        let crashLoop = try XCTUnwrap(project.payloads(.crashLoop).first)
        XCTAssertEqual(crashLoop["consecutive"], 5)
        XCTAssertEqual(crashLoop["exit_code"], 3)
        let reason = crashLoop["reason"]?.stringValue ?? ""
        XCTAssertTrue(reason.contains("something unknown broke"), reason)
        XCTAssertFalse(reason.contains("supersecretvalue"), "the transcript tail is redacted: \(reason)")
        XCTAssertEqual(
            try project.payloads(.serveStopped), [["reason": "crash_loop", "rounds_completed": 5, "exit_code": 75]])
        XCTAssertTrue(stderr.text.contains("crash_loop: 5 consecutive short crashes (last exit 3)"), stderr.text)
    }

    func testAnAgentThatCannotStartTripsTheBreakerToo() throws {
        let project = try ProjectFixture(self)
        let clock = AlarmClock()
        let code = serve(project, StandInAgents(Array(repeating: .unstartable, count: 5)), clock: clock)
        XCTAssertEqual(code, ExitCode.crashLoop)
        XCTAssertEqual(try project.gaps(between: .roundStart), [2, 4, 8, 16])
        XCTAssertEqual(try project.payloads(.agentExit).map { $0["exit_code"] }, Array(repeating: 127, count: 5))
        XCTAssertEqual(try project.payloads(.crashLoop).first?["reason"], "the agent could not be started")
    }

    func testAnExplainedFailureBetweenCrashesResetsTheStreak() throws {
        let project = try ProjectFixture(self, runtime: ["max_rounds = 4"])
        let agents = StandInAgents([.exits(3), .exits(3), .exits(0), .exits(3)])
        let clock = AlarmClock()
        XCTAssertEqual(serve(project, agents, clock: clock), ExitCode.success)
        // Crash (×2), crash (×4), clean (×1), crash: the streak starts again, but max_rounds ends
        // serve with that round, before its ×2 delay.
        XCTAssertEqual(try project.gaps(between: .roundStart), [2, 4, 1])
        XCTAssertEqual(clock.fake.elapsed, .seconds(7), "none after the last round")
    }

    func testMaxRoundsEndsServeWithTheLastRound() throws {
        let project = try ProjectFixture(self)
        let clock = AlarmClock()
        let code = serve(
            project, StandInAgents([.exits(0), .exits(0)]), clock: clock, options: .init(maxRoundsOverride: 2))
        XCTAssertEqual(code, ExitCode.success)
        XCTAssertEqual(
            try project.kinds(),
            ["serve_started", "host_cgroup_memory_limit"] + round + round + ["max_rounds_reached", "serve_stopped"])
        XCTAssertEqual(try project.payloads(.maxRoundsReached), [["rounds_completed": 2, "max_rounds": 2]])
        XCTAssertEqual(try project.payloads(.serveStarted).first?["max_rounds"], 2)
        XCTAssertEqual(clock.fake.elapsed, .seconds(1), "restart_delay_s between the rounds, none after the last")
    }

    /// serve gives back its start-up code pages once, after the first round (StartupCodeRelease).
    func testAfterFirstRoundRunsOnceAfterTheFirstRound() throws {
        let project = try ProjectFixture(self)
        let calls = Mutex<[Int]>([])
        let logDir = project.logDir
        let options = Supervisor.Options(maxRoundsOverride: 3) {
            let ends = (try? EventLogReader(directory: logDir).lastEvents(1000))?.filter { $0.kind == "round_end" }
            calls.withLock { $0.append(ends?.count ?? -1) }
        }
        XCTAssertEqual(
            serve(project, StandInAgents([.exits(0), .exits(0), .exits(0)]), clock: AlarmClock(), options: options),
            ExitCode.success)
        XCTAssertEqual(calls.withLock { $0 }, [1], "once, with the first round's end written")
    }

    func testOnceRunsOneRoundWithoutSleeping() throws {
        let project = try ProjectFixture(self)
        let clock = AlarmClock()
        XCTAssertEqual(serve(project, StandInAgents([.exits(1)]), clock: clock, options: .init(once: true)), 0)
        XCTAssertEqual(
            try project.payloads(.serveStopped), [["reason": "once", "rounds_completed": 1, "exit_code": 0]])
        XCTAssertEqual(clock.fake.elapsed, .zero)
    }

    func testTheSentinelStopsServeWithTheAgentsReason() throws {
        let project = try ProjectFixture(self)
        let clock = AlarmClock()
        let writesSentinel = StandInAgents.StandIn.script(
            "printf 'all tasks complete\\n' > \"$AGENT_RUNNER_LOG_DIR/.agent-done\"")
        XCTAssertEqual(serve(project, StandInAgents([writesSentinel]), clock: clock), ExitCode.success)
        XCTAssertEqual(try project.payloads(.agentSelfTerminated), [["reason": "all tasks complete\n"]])
        XCTAssertEqual(try project.payloads(.serveStopped).first?["reason"], "agent_self_terminated")
        XCTAssertEqual(clock.fake.elapsed, .zero, "seen right after the round, before the restart delay")
    }

    /// A bounded run ends with its last round even when that round crashed: the sentinel it
    /// wrote, or the stop file, is seen before the crash's restart delay, not after.
    func testASentinelOrStopFileAfterACrashEndsServeWithoutTheRestartDelay() throws {
        let sentinel = try ProjectFixture(self)
        let clock = AlarmClock()
        let crashesDone = StandInAgents.StandIn.script(
            "printf 'gave up\\n' > \"$AGENT_RUNNER_LOG_DIR/.agent-done\"; exit 3")
        XCTAssertEqual(serve(sentinel, StandInAgents([crashesDone]), clock: clock), ExitCode.success)
        XCTAssertEqual(try sentinel.payloads(.agentSelfTerminated), [["reason": "gave up\n"]])
        XCTAssertEqual(clock.fake.elapsed, .zero)

        let stopped = try ProjectFixture(self, runtime: [#"stop_file = "STOP""#])
        let stopClock = AlarmClock()
        let crashesStop = StandInAgents.StandIn.script("printf 'enough' > STOP; exit 3")
        XCTAssertEqual(serve(stopped, StandInAgents([crashesStop]), clock: stopClock), ExitCode.success)
        XCTAssertEqual(
            try stopped.payloads(.stopFileDetected),
            [["stop_file": .string(stopped.workDir + "/STOP"), "content": "enough", "rounds_completed": 1]])
        XCTAssertEqual(stopClock.fake.elapsed, .zero)
    }

    func testASentinelLeftByTheLastServeIsRemovedAtBoot() throws {
        let project = try ProjectFixture(self)
        try FileManager.default.createDirectory(atPath: project.logDir, withIntermediateDirectories: true)
        try "old".write(toFile: project.logDir + "/.agent-done", atomically: true, encoding: .utf8)
        XCTAssertEqual(serve(project, StandInAgents([.exits(0)]), options: .init(once: true)), 0)
        XCTAssertEqual(try project.payloads(.agentExit).count, 1)
    }

    func testTheStopFileEndsTheBackOffSleepAtTheNextTick() throws {
        let project = try ProjectFixture(self, runtime: [#"stop_file = "STOP""#])
        let clock = AlarmClock()
        let stopFile = project.workDir + "/STOP"
        clock.at(.milliseconds(500)) {
            try? "maintenance window".write(toFile: stopFile, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(serve(project, StandInAgents([.exits(0)]), clock: clock), ExitCode.success)
        XCTAssertEqual(clock.fake.elapsed, .milliseconds(600), "written during the 500 ms tick, seen before the next")
        XCTAssertEqual(
            try project.payloads(.stopFileDetected),
            [["stop_file": .string(stopFile), "content": "maintenance window", "rounds_completed": 1]])
        XCTAssertEqual(try project.payloads(.serveStopped).first?["reason"], "stop_file_detected")
    }

    func testAStopFileBeforeTheFirstRoundRunsNone() throws {
        let project = try ProjectFixture(self, runtime: [#"stop_file = "STOP""#])
        try project.write("not now", to: "STOP")
        XCTAssertEqual(serve(project, StandInAgents([])), ExitCode.success)
        XCTAssertEqual(
            try project.kinds(), ["serve_started", "host_cgroup_memory_limit", "stop_file_detected", "serve_stopped"])
    }

    func testSIGTERMDuringTheBackOffSleepStopsServeAtTheNextTick() throws {
        let project = try ProjectFixture(self)
        let clock = AlarmClock()
        let stop = StopRequest.isolated()
        clock.at(.milliseconds(400)) { stop.request() }
        XCTAssertEqual(serve(project, StandInAgents([.exits(0)]), clock: clock, stop: stop), ExitCode.success)
        XCTAssertEqual(clock.fake.elapsed, .milliseconds(400))
        XCTAssertEqual(
            try project.payloads(.serveStopped), [["reason": "signal", "rounds_completed": 1, "exit_code": 0]])
    }

    func testSIGTERMDuringARoundLetsTheRoundFinish() throws {
        let project = try ProjectFixture(self)
        let clock = AlarmClock()
        let stop = StopRequest.isolated()
        let agents = StandInAgents(
            [.exits(0, output: "finished the work\n"), .exits(0)],
            onSpawn: { spawn in if spawn == 1 { stop.request() } })
        XCTAssertEqual(serve(project, agents, clock: clock, stop: stop), ExitCode.success)
        XCTAssertEqual(try project.kinds(), ["serve_started", "host_cgroup_memory_limit"] + round + ["serve_stopped"])
        XCTAssertEqual(try project.payloads(.agentExit).first?["exit_code"], 0, "the agent was not killed")
        XCTAssertEqual(
            try project.payloads(.serveStopped), [["reason": "signal", "rounds_completed": 1, "exit_code": 0]])
        XCTAssertEqual(clock.fake.elapsed, .zero, "no back-off sleep after the round")
        XCTAssertEqual(agents.spawns.count, 1)
    }

    func testAPermanentBatteryFailureIsConfigBrokenWithoutARound() throws {
        let project = try ProjectFixture(self, prompt: "too short")
        let stderr = CapturedOutput()
        XCTAssertEqual(serve(project, StandInAgents([]), stderr: stderr), ExitCode.config)
        XCTAssertEqual(
            try project.kinds(),
            ["serve_started", "host_cgroup_memory_limit", "smoke_check_failed", "config_broken", "serve_stopped"])
        XCTAssertEqual(
            try project.payloads(.configBroken).first?["reason"],
            "startup battery failed permanently: prompt_smoke_passes: prompt is 9 bytes < 500 minimum")
        XCTAssertTrue(stderr.text.contains("STARTUP FAIL: prompt_smoke_passes"), stderr.text)
    }

    func testAFullDiskIsRetriedWithEscalatingDelaysAndReportedOnce() throws {
        let project = try ProjectFixture(self, runtime: ["max_rounds = 1"])
        let disk = FullDisk(failingWrites: 3)
        let clock = AlarmClock()
        let stderr = CapturedOutput()
        XCTAssertEqual(serve(project, StandInAgents([.exits(0)]), clock: clock, fileSystem: disk, stderr: stderr), 0)
        XCTAssertEqual(try project.payloads(.smokeCheckFailed).count, 1, "one report for the whole outage")
        XCTAssertEqual(try project.payloads(.agentExit).count, 1)
        XCTAssertEqual(
            try project.payloads(.serveStopped).first?["rounds_completed"], 1, "failed checks are not rounds")
        // Delays 2, 4, 8 s while the disk is full, then the round, which ends the bounded run.
        XCTAssertEqual(clock.fake.elapsed, .seconds(2 + 4 + 8))
        XCTAssertEqual(try project.payloads(.roundStart).first?["round_num"], 1)
        XCTAssertTrue(stderr.text.contains("startup checks pass again (log_dir_writable recovered)"), stderr.text)
    }

    func testAServeStartupHookFailureStopsServeBeforeTheFirstRound() throws {
        let project = try ProjectFixture(self, extra: "[hooks]\nserve_startup = [[\"seed\", \"--now\"]]\n")
        let agents = StandInAgents([]) { request in
            request.executable == "seed" ? .finished(4, stderr: "seeding failed\n") : .finished(0)
        }
        XCTAssertEqual(serve(project, agents), ExitCode.failure)
        XCTAssertEqual(
            try project.kinds(),
            ["serve_started", "host_cgroup_memory_limit", "serve_startup_hook_failed", "serve_stopped"])
        XCTAssertEqual(try project.payloads(.serveStartupHookFailed).first?["stderr_tail"], "seeding failed")
        let hook = try XCTUnwrap(agents.scripted.requests.first)
        XCTAssertEqual(hook.environment["AGENT_RUNNER_ROUND_NUM"], "0")
        XCTAssertEqual(hook.workingDirectory, project.workDir)
    }
}

/// The test disk, except that writes in the log dir's probe fail with ENOSPC the first
/// `failingWrites` times: a disk that fills up, then gets space back.
final class FullDisk: FileSystem {
    private let base = UnsyncedDisk()
    private let failuresLeft: Mutex<Int>

    init(failingWrites: Int) {
        failuresLeft = Mutex(failingWrites)
    }

    func append(_ bytes: [UInt8], to path: String) throws {
        if path.hasSuffix("/.write_probe"),
            failuresLeft.withLock({ left in
                defer { left -= 1 }
                return left > 0
            })
        {
            throw FileError(path: path, errorNumber: ENOSPC, message: "no space")
        }
        try base.append(bytes, to: path)
    }

    func readFile(_ path: String, limit: Int) throws(FileReadError) -> [UInt8] { try base.readFile(path, limit: limit) }
    func resolveSymlinks(_ path: String) -> String? { base.resolveSymlinks(path) }
    func exists(_ path: String) -> Bool { base.exists(path) }
    func removeFile(_ path: String) { base.removeFile(path) }
    func createDirectory(_ path: String) -> Int32? { base.createDirectory(path) }
    func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        try base.writeAtomically(bytes, to: path, mode: mode)
    }
    func tail(of path: String, bytes count: Int) -> [UInt8] { base.tail(of: path, bytes: count) }
    func directoryNames(_ path: String) -> [String] { base.directoryNames(path) }
}
