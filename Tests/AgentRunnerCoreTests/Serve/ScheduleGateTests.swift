import FleetCore
import Foundation
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// The `[schedule]` gate in the restart loop, on a fake clock whose wall clock starts where a
/// test needs it, with zones from rules (Europe/Berlin: CET/CEST, changes on the last Sundays of
/// March and October): pauses across midnight and a week boundary and through both daylight
/// saving changes, stops during a pause, `--ignore-schedule`, and phase-aware serve.
final class ScheduleGateTests: XCTestCase {
    let berlin = TestZones.berlin

    func serve(
        _ project: ProjectFixture, _ agents: StandInAgents, clock: AlarmClock,
        random: any RandomSource = UnusableRandom(), stop: StopRequest = .isolated(),
        options: Supervisor.Options = .init(), stderr: CapturedOutput = CapturedOutput()
    ) -> Int32 {
        addTeardownBlock { agents.killLeftovers() }
        let effects = Effects.standIn(clock: clock, agents: agents, random: random)
        return Supervisor(
            config: project.config, effects: effects, environment: project.environment, stderr: stderr, stop: stop,
            memory: ScriptedMemory(clock: clock.fake).source
        ).run(options)
    }

    /// A clock whose wall clock reads this Berlin time.
    func clock(_ year: Int64, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, second: Int64 = 0) -> AlarmClock {
        AlarmClock(FakeClock(wall: wall(berlin, year, month, day, hour, minute).adding(seconds: second)))
    }

    func schedule(_ lines: String) -> String {
        "[schedule]\ntimezone = \"Europe/Berlin\"\n" + lines + "\n"
    }

    func startTimes(_ project: ProjectFixture) throws -> [String] {
        try project.events().filter { $0.kind == "round_start" }.map(\.ts)
    }

    func testTheTailOfAWindowPastMidnightBelongsToItsStartDay() throws {
        // Saturday 2026-11-21 01:59:58: inside Friday's 22:00-02:00 window.
        let project = try ProjectFixture(
            self, runtime: ["max_rounds = 3"], extra: schedule(#"run_windows = ["Fri 22:00-02:00"]"#))
        let clock = clock(2026, 11, 21, 1, 59, second: 58)
        let stop = StopRequest.isolated()
        clock.at(.seconds(12)) { stop.request() }
        let code = serve(project, StandInAgents([.exits(0), .exits(0)]), clock: clock, stop: stop)
        XCTAssertEqual(code, ExitCode.success)
        XCTAssertEqual(try startTimes(project), ["2026-11-21T00:59:58.000Z", "2026-11-21T00:59:59.000Z"])
        XCTAssertEqual(
            try project.payloads(.schedulePaused),
            [
                [
                    "active_window": "outside run_windows", "resume_at": "2026-11-27T22:00:00+01:00",
                    "timezone": "Europe/Berlin",
                ]
            ],
            "closed at 02:00; Saturday 22:00 is not in a Friday window, so it opens next Friday")
        XCTAssertEqual(try project.payloads(.scheduleResumed), [], "a stop during the pause writes no schedule_resumed")
        XCTAssertEqual(try project.kinds().suffix(2), ["schedule_paused", "serve_stopped"])
        XCTAssertEqual(try project.payloads(.serveStopped).first?["reason"], "signal")
        XCTAssertEqual(clock.fake.elapsed, .seconds(12), "SIGTERM ends the pause at the next tick")
    }

    func testAPauseOverTheWeekBoundaryResumesAtMondayMidnight() throws {
        let project = try ProjectFixture(
            self, runtime: ["max_rounds = 1"], extra: schedule(#"run_windows = ["Mon 00:00-08:00"]"#))
        let clock = clock(2026, 11, 22, 23, 58)  // Sunday
        XCTAssertEqual(serve(project, StandInAgents([.exits(0)]), clock: clock), ExitCode.success)
        XCTAssertEqual(
            try project.payloads(.schedulePaused),
            [
                [
                    "active_window": "outside run_windows", "resume_at": "2026-11-23T00:00:00+01:00",
                    "timezone": "Europe/Berlin",
                ]
            ])
        XCTAssertEqual(try project.payloads(.scheduleResumed), [["paused_for_s": 120]])
        XCTAssertEqual(try startTimes(project), ["2026-11-22T23:00:00.000Z"])
        XCTAssertEqual(
            try project.kinds().prefix(5),
            [
                "serve_started", "host_cgroup_memory_limit", "schedule_paused", "schedule_resumed",
                "round_substrate_before",
            ])
        XCTAssertLessThanOrEqual(
            clock.fake.sleeps.max() ?? .zero, StopTriggers.tick, "the pause sleeps in stop-aware ticks")
    }

    func testAPauseWindowInsideARunWindowIsReportedVerbatim() throws {
        let project = try ProjectFixture(
            self, runtime: ["max_rounds = 1"],
            extra: schedule(
                #"run_windows = ["Mon-Fri 08:00-20:00"]"# + "\n" + #"pause_windows = ["Mon-Fri 12:00-13:00"]"#))
        XCTAssertEqual(serve(project, StandInAgents([.exits(0)]), clock: clock(2026, 11, 23, 12, 59)), ExitCode.success)
        XCTAssertEqual(try project.payloads(.schedulePaused).first?["active_window"], "Mon-Fri 12:00-13:00")
        XCTAssertEqual(try project.payloads(.schedulePaused).first?["resume_at"], "2026-11-23T13:00:00+01:00")
        XCTAssertEqual(try project.payloads(.scheduleResumed), [["paused_for_s": 60]])
    }

    func testAWindowStartingInTheSpringForwardGapOpensWhenTheClocksJump() throws {
        // 2026-03-29: 02:00 CET becomes 03:00 CEST; 02:30 never happens.
        let project = try ProjectFixture(
            self, runtime: ["max_rounds = 1"], extra: schedule(#"run_windows = ["Sun 02:30-04:00"]"#))
        XCTAssertEqual(serve(project, StandInAgents([.exits(0)]), clock: clock(2026, 3, 29, 1, 55)), ExitCode.success)
        XCTAssertEqual(try project.payloads(.schedulePaused).first?["resume_at"], "2026-03-29T03:00:00+02:00")
        XCTAssertEqual(try project.payloads(.scheduleResumed), [["paused_for_s": 300]], "five real minutes")
        XCTAssertEqual(try startTimes(project), ["2026-03-29T01:00:00.000Z"])
    }

    func testAWindowInTheRepeatedHourOpensAgainAfterTheClocksFallBack() throws {
        // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:00-03:00 happens twice.
        let project = try ProjectFixture(
            self, runtime: ["max_rounds = 1"], extra: schedule(#"run_windows = ["Sun 02:00-02:30"]"#))
        // 00:35 UTC is 02:35 CEST: the first 02:00-02:30 has passed, the second is 25 minutes away.
        let clock = AlarmClock(FakeClock(wall: utc(2026, 10, 25, 0, 35)))
        XCTAssertEqual(serve(project, StandInAgents([.exits(0)]), clock: clock), ExitCode.success)
        XCTAssertEqual(try project.payloads(.schedulePaused).first?["resume_at"], "2026-10-25T02:00:00+01:00")
        XCTAssertEqual(try project.payloads(.scheduleResumed), [["paused_for_s": 1500]])
        XCTAssertEqual(try startTimes(project), ["2026-10-25T01:00:00.000Z"])
    }

    func testTheStopFileEndsAPause() throws {
        let project = try ProjectFixture(
            self, runtime: [#"stop_file = "STOP""#], extra: schedule(#"run_windows = ["Mon-Fri 08:00-20:00"]"#))
        let clock = clock(2026, 11, 21, 10, 0)  // Saturday
        let stopFile = project.workDir + "/STOP"
        clock.at(.seconds(90)) { try? "maintenance".write(toFile: stopFile, atomically: true, encoding: .utf8) }
        XCTAssertEqual(serve(project, StandInAgents([]), clock: clock), ExitCode.success)
        XCTAssertEqual(
            try project.kinds(),
            ["serve_started", "host_cgroup_memory_limit", "schedule_paused", "stop_file_detected", "serve_stopped"])
        XCTAssertEqual(try project.payloads(.schedulePaused).first?["resume_at"], "2026-11-23T08:00:00+01:00")
        XCTAssertEqual(clock.fake.elapsed, .seconds(90), "seen at the first tick after it appeared")
    }

    func testIgnoreScheduleRunsAtOnce() throws {
        let project = try ProjectFixture(self, extra: schedule(#"run_windows = ["Mon-Fri 08:00-20:00"]"#))
        let clock = clock(2026, 11, 21, 10, 0)
        let code = serve(
            project, StandInAgents([.exits(0)]), clock: clock, options: .init(once: true, ignoreSchedule: true))
        XCTAssertEqual(code, ExitCode.success)
        XCTAssertEqual(try project.payloads(.schedulePaused), [])
        XCTAssertEqual(try project.payloads(.roundStart).count, 1)
        XCTAssertEqual(clock.fake.elapsed, .zero)
    }

    let phases = """
        [phases]
        list = ["build", "review"]
        phase_policy = "%POLICY%"
        [phases.review.agent]
        command = ["/usr/bin/env"]
        name = "env"
        [phases.review.schedule]
        timezone = "Europe/Berlin"
        run_windows = ["Mon 10:00-12:00"]

        """

    func testSkipRunsTheNextOpenPhaseAndSaysWhy() throws {
        let project = try ProjectFixture(
            self, runtime: ["max_rounds = 2"], extra: phases.replacingOccurrences(of: "%POLICY%", with: "skip"))
        let agents = StandInAgents([.exits(0), .exits(0)])
        XCTAssertEqual(serve(project, agents, clock: clock(2026, 11, 23, 9, 0)), ExitCode.success)
        XCTAssertEqual(
            try project.payloads(.schedulePhaseSkipped),
            [["round_num": 2, "skipped": ["review"], "chosen": "build", "active_window": "outside run_windows"]])
        XCTAssertEqual(try project.payloads(.roundStart).map { $0["phase"] }, ["build", "build"])
        XCTAssertEqual(agents.spawns.map { $0.environment["AGENT_RUNNER_PHASE"] }, ["build", "build"])
        XCTAssertEqual(try project.payloads(.schedulePaused), [])
    }

    func testWaitPausesForTheRoundsOwnPhase() throws {
        let project = try ProjectFixture(
            self, runtime: ["max_rounds = 2"], extra: phases.replacingOccurrences(of: "%POLICY%", with: "wait"))
        let agents = StandInAgents([.exits(0), .exits(0)])
        XCTAssertEqual(serve(project, agents, clock: clock(2026, 11, 23, 9, 59, second: 50)), ExitCode.success)
        XCTAssertEqual(
            try project.payloads(.schedulePaused),
            [
                [
                    "active_window": "outside run_windows", "resume_at": "2026-11-23T10:00:00+01:00",
                    "timezone": "Europe/Berlin",
                    "phase": "review",
                ]
            ])
        XCTAssertEqual(
            try project.payloads(.scheduleResumed), [["paused_for_s": 9]], "round 1 and its 1 s delay came first")
        XCTAssertEqual(try project.payloads(.roundStart).map { $0["phase"] }, ["build", "review"])
        XCTAssertEqual(agents.spawns.last?.executable, "/usr/bin/env", "the review phase runs its own agent")
    }

    /// A throttle of the review phase's agent (`env`) from an earlier serve, resetting in an hour.
    func seedThrottle(_ project: ProjectFixture, agent: String, resetIn seconds: Int64, now: UTCInstant) throws {
        let writer = EventLogWriter(directory: project.logDir, clock: FixedWallClock(now))
        try FileManager.default.createDirectory(atPath: project.logDir, withIntermediateDirectories: true)
        _ = try writer.append(
            TransientErrorDetected(
                error: TransientError(
                    classification: .rateLimitAccount, resetAtEpoch: now.seconds + seconds, raw: "limit"),
                agent: agent, roundNum: 7, phase: "review"))
    }

    func testSkipStepsOverAPhaseWhoseAgentIsThrottled() throws {
        let extra = phases.replacingOccurrences(of: "%POLICY%", with: "skip")
            .replacingOccurrences(of: "Mon 10:00-12:00", with: "00:00-24:00")
        let project = try ProjectFixture(self, runtime: ["max_rounds = 2"], extra: extra)
        let clock = clock(2026, 11, 23, 9, 0)
        try seedThrottle(project, agent: "env", resetIn: 3600, now: clock.fake.wallClock.now())
        let random = SeededRandom.fromEnvironment()
        let agents = StandInAgents([.exits(0), .exits(0)])
        XCTAssertEqual(serve(project, agents, clock: clock, random: random), ExitCode.success, random.replayHint)
        XCTAssertEqual(
            try project.payloads(.schedulePhaseSkipped),
            [["round_num": 2, "skipped": ["review"], "chosen": "build", "active_window": ""]],
            "skipped for the throttle, not a window")
        XCTAssertEqual(try project.payloads(.transientErrorRecovered), [], "serve did not sleep on it")
        XCTAssertEqual(clock.fake.elapsed, .seconds(1), "just the restart delay between the rounds")
    }

    func testSkipWithEveryPhaseThrottledOrClosedPausesUntilTheReset() throws {
        let extra = phases.replacingOccurrences(of: "%POLICY%", with: "skip")
            .replacingOccurrences(
                of: "[phases.review.agent]",
                with: "[phases.build.schedule]\ntimezone = \"Europe/Berlin\"\n"
                    + "run_windows = [\"Sat 10:00-11:00\"]\n[phases.review.agent]"
            )
            .replacingOccurrences(of: "Mon 10:00-12:00", with: "00:00-24:00")
        let project = try ProjectFixture(self, runtime: ["max_rounds = 1", "backoff_jitter_s = 0"], extra: extra)
        let clock = clock(2026, 11, 23, 9, 0)
        try seedThrottle(project, agent: "env", resetIn: 600, now: clock.fake.wallClock.now())
        let agents = StandInAgents([.exits(0)])
        XCTAssertEqual(serve(project, agents, clock: clock, random: SeededRandom(seed: 1)), ExitCode.success)
        XCTAssertEqual(
            try project.payloads(.schedulePaused).first?["resume_at"], "2026-11-28T10:00:00+01:00",
            "build's window; the throttle ends the pause sooner")
        XCTAssertEqual(try project.payloads(.scheduleResumed), [["paused_for_s": 600]])
        XCTAssertEqual(try project.payloads(.transientErrorRecovered).map { $0["agent"] }, ["env"])
        XCTAssertEqual(try project.payloads(.roundStart).map { $0["phase"] }, ["review"])
    }

    func testSkipWithTheStopActionStopsInsteadOfPausing() throws {
        let extra = phases.replacingOccurrences(of: "%POLICY%", with: "skip")
            .replacingOccurrences(
                of: "[phases.review.agent]",
                with: "[phases.build.schedule]\ntimezone = \"Europe/Berlin\"\n"
                    + "run_windows = [\"Sat 10:00-11:00\"]\n[phases.review.agent]"
            )
            .replacingOccurrences(of: "Mon 10:00-12:00", with: "00:00-24:00")
        let project = try ProjectFixture(self, runtime: [#"transient_error_action = "stop""#], extra: extra)
        let clock = clock(2026, 11, 23, 9, 0)
        try seedThrottle(project, agent: "env", resetIn: 600, now: clock.fake.wallClock.now())
        XCTAssertEqual(serve(project, StandInAgents([]), clock: clock, random: SeededRandom(seed: 1)), ExitCode.success)
        XCTAssertEqual(try project.payloads(.agentSelfTerminated), [["reason": "transient_error"]])
        XCTAssertEqual(try project.payloads(.schedulePaused), [])
    }

    func testOverlappingAgentPhaseWindowsRefuseToBoot() throws {
        let extra =
            phases.replacingOccurrences(of: "%POLICY%", with: "wait")
            + "[phases.build.agent]\ncommand = [\"/bin/sh\"]\n[phases.build.schedule]\ntimezone = \"Europe/Berlin\"\n"
            + "run_windows = [\"Mon-Fri 08:00-11:00\"]\n"
        let project = try ProjectFixture(self, extra: extra)
        let stderr = CapturedOutput()
        XCTAssertEqual(
            serve(project, StandInAgents([]), clock: clock(2026, 11, 23, 9, 0), stderr: stderr), ExitCode.config)
        XCTAssertEqual(
            try project.kinds(), ["serve_started", "host_cgroup_memory_limit", "config_broken", "serve_stopped"])
        let reason = try XCTUnwrap(project.payloads(.configBroken).first?["reason"]?.stringValue)
        XCTAssertTrue(
            reason.hasPrefix("phase-window overlap: build (Mon-Fri 08:00-11:00) vs review (Mon 10:00-12:00)"), reason)
        XCTAssertTrue(stderr.text.contains("agent-runner.toml:"), stderr.text)
        XCTAssertTrue(stderr.text.contains("phases.build.schedule.run_windows: phase-window overlap"), stderr.text)
    }
}

/// A wall clock that always reads the same instant.
struct FixedWallClock: WallClock {
    let instant: UTCInstant
    init(_ instant: UTCInstant) { self.instant = instant }
    func now() -> UTCInstant { instant }
}
