import FleetCore
import Foundation
import Synchronization
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// Serve's memory defenses end to end on a fake clock, with readings scripted against the time
/// since each agent was spawned: the pre-round gate defers and resumes, the 10 s in-round floor
/// terminates after N critical samples (or nudges, or defers to a bounding cgroup), mem_loop
/// exits 71 and, the third time in 2 h, 70; a kernel OOM kill is recognised from the cgroup's
/// counters; the brake writes and lifts `memory.high`.
final class MemoryDefenseServeTests: XCTestCase {
    /// When each agent was spawned, on the fake clock.
    final class Spawns: Sendable {
        let clock: FakeClock
        private let times = Mutex<[Duration]>([])
        init(clock: FakeClock) { self.clock = clock }
        func record() {
            let now = clock.elapsed
            times.withLock { $0.append(now) }
        }
        var count: Int { times.withLock { $0.count } }
        /// Time since the newest spawn, nil before the first.
        func sinceLast(_ elapsed: Duration) -> Duration? { times.withLock { $0.last }.map { elapsed - $0 } }
    }

    func serve(
        _ project: ProjectFixture, _ agents: StandInAgents, clock: AlarmClock, memory: ScriptedMemory,
        stop: StopRequest = .isolated(), options: Supervisor.Options = .init(),
        stderr: CapturedOutput = CapturedOutput()
    ) -> Int32 {
        addTeardownBlock { agents.killLeftovers() }
        let effects = Effects.standIn(clock: clock, agents: agents)
        return Supervisor(
            config: project.config, effects: effects, environment: project.environment, stderr: stderr, stop: stop,
            memory: memory.source
        ).run(options)
    }

    /// Agents that run until killed, `count` of them, each spawn recorded.
    func runningAgents(_ count: Int, _ spawns: Spawns) -> StandInAgents {
        StandInAgents(Array(repeating: .runs(output: "working"), count: count), onSpawn: { _ in spawns.record() })
    }

    /// Critical from 5 s to 31 s after each spawn (the 10, 20 and 30 s ticks), healthy otherwise.
    static func criticalDuringRounds(_ spawns: Spawns) -> ScriptedMemory.Host {
        { elapsed in
            guard let since = spawns.sinceLast(elapsed) else { return .healthy }
            return since >= .seconds(5) && since < .seconds(31) ? .critical : .healthy
        }
    }

    func testACriticalHostDefersTheRoundUntilItClears() throws {
        let project = try ProjectFixture(self)
        let clock = AlarmClock()
        let memory = ScriptedMemory(clock: clock.fake, host: { $0 < .seconds(75) ? .critical : .healthy })
        let code = serve(
            project, StandInAgents([.exits(0)]), clock: clock, memory: memory,
            options: .init(once: true, ignoreSchedule: true))
        XCTAssertEqual(code, ExitCode.success)
        XCTAssertEqual(
            Array(try project.kinds().prefix(5)),
            ["serve_started", "host_cgroup_memory_limit", "round_deferred", "round_resumed", "round_substrate_before"],
            "--ignore-schedule does not bypass the memory gate")
        XCTAssertEqual(
            try project.payloads(.roundDeferred),
            [["severity": "critical", "signal": "psi", "message": "memory PSI full avg10 72.5 >= 60.0"]])
        XCTAssertEqual(try project.payloads(.roundResumed), [["deferred_for_s": 90]], "polled at 0, 30, 60, 90 s")
        XCTAssertEqual(clock.fake.elapsed, .seconds(90))
    }

    func testSIGTERMDuringADeferralStopsWithoutResumed() throws {
        let project = try ProjectFixture(self)
        let clock = AlarmClock()
        let stop = StopRequest.isolated()
        clock.at(.seconds(45)) { stop.request() }
        let memory = ScriptedMemory(clock: clock.fake, host: { _ in .critical })
        XCTAssertEqual(serve(project, StandInAgents([]), clock: clock, memory: memory, stop: stop), ExitCode.success)
        XCTAssertEqual(
            try project.kinds(), ["serve_started", "host_cgroup_memory_limit", "round_deferred", "serve_stopped"])
        XCTAssertEqual(clock.fake.elapsed, .seconds(45))
    }

    func testThreeCriticalSamplesTerminateTheRoundAndItIsNotACrash() throws {
        let project = try ProjectFixture(self)
        let clock = AlarmClock()
        let spawns = Spawns(clock: clock.fake)
        let memory = ScriptedMemory(clock: clock.fake, host: Self.criticalDuringRounds(spawns))
        let code = serve(project, runningAgents(1, spawns), clock: clock, memory: memory, options: .init(once: true))
        XCTAssertEqual(code, ExitCode.success)
        XCTAssertEqual(try project.payloads(.roundMemCriticalSample).map { $0["consecutive"] }, [1, 2, 3])
        let terminated = try XCTUnwrap(project.payloads(.roundMemTerminated).first)
        XCTAssertEqual(terminated["tier"], "terminate")
        XCTAssertEqual(terminated["consecutive"], 3)
        XCTAssertEqual(terminated["signal"], "psi")
        let exit = try XCTUnwrap(project.payloads(.agentExit).first)
        XCTAssertEqual(exit["exit_code"], -15, "SIGTERM to the group, which the stand-in obeys")
        XCTAssertEqual(exit["duration_s"], 30.0, "the third 10 s sample")
        XCTAssertEqual(exit["timed_out"], false)
        XCTAssertEqual(
            try project.kinds().filter { ["round_mem_terminated", "agent_exit", "round_end"].contains($0) },
            ["round_mem_terminated", "agent_exit", "round_end"])
        XCTAssertEqual(try project.payloads(.crashLoop), [])
    }

    func testFiveMemoryTerminatedRoundsTripMemLoopWhichRestarts() throws {
        let project = try ProjectFixture(self)
        let clock = AlarmClock()
        let spawns = Spawns(clock: clock.fake)
        let memory = ScriptedMemory(clock: clock.fake, host: Self.criticalDuringRounds(spawns))
        let stderr = CapturedOutput()
        let code = serve(project, runningAgents(5, spawns), clock: clock, memory: memory, stderr: stderr)
        XCTAssertEqual(code, ExitCode.memLoop)
        XCTAssertEqual(code, 71)
        XCTAssertEqual(try project.payloads(.roundMemTerminated).count, 5)
        let loop = try XCTUnwrap(project.payloads(.memLoop).first)
        XCTAssertEqual(loop["consecutive"], 5)
        XCTAssertEqual(loop["exit_code"], -15)
        XCTAssertTrue(loop["reason"]?.stringValue?.contains("working") ?? false, "the transcript's tail")
        XCTAssertEqual(try project.payloads(.crashLoop), [], "memory-terminated rounds are not crashes")
        XCTAssertEqual(try project.gaps(between: .roundStart), [32, 32, 32, 32], "30 s to the terminate, 2 s delay")
        XCTAssertEqual(try project.payloads(.serveStopped).first?["reason"], "mem_loop")
        XCTAssertTrue(stderr.text.contains("mem_loop: 5 rounds in a row"), stderr.text)
    }

    func testTheThirdMemLoopWithinTwoHoursIsPersistent() throws {
        let project = try ProjectFixture(self)
        let clock = AlarmClock()
        try FileManager.default.createDirectory(atPath: project.logDir, withIntermediateDirectories: true)
        let start = clock.fake.wallClock.now()
        for ago in [Int64(5400), 1800] {
            let writer = EventLogWriter(directory: project.logDir, clock: FixedWallClock(start.adding(seconds: -ago)))
            _ = try writer.append(MemLoop(consecutive: 5, exitCode: -15, reason: ""))
        }
        let spawns = Spawns(clock: clock.fake)
        let memory = ScriptedMemory(clock: clock.fake, host: Self.criticalDuringRounds(spawns))
        let code = serve(project, runningAgents(5, spawns), clock: clock, memory: memory)
        XCTAssertEqual(code, ExitCode.memLoopPersistent)
        XCTAssertEqual(code, 70)
        XCTAssertEqual(try project.payloads(.memLoopPersistent).count, 1)
        XCTAssertEqual(try project.payloads(.memLoop).count, 2, "only the earlier serves' mem_loops")
        XCTAssertEqual(try project.payloads(.serveStopped).first?["reason"], "mem_loop_persistent")
    }

    func testAHealthyRoundBetweenResetsTheStreak() throws {
        let project = try ProjectFixture(self, runtime: ["max_rounds = 6", "round_timeout_s = 45"])
        let clock = AlarmClock()
        let spawns = Spawns(clock: clock.fake)
        let memory = ScriptedMemory(
            clock: clock.fake,
            host: { elapsed in
                // The third round stays healthy.
                spawns.count == 3 ? .healthy : Self.criticalDuringRounds(spawns)(elapsed)
            })
        XCTAssertEqual(serve(project, runningAgents(6, spawns), clock: clock, memory: memory, options: .init()), 0)
        XCTAssertEqual(try project.payloads(.memLoop), [])
        XCTAssertEqual(try project.payloads(.roundMemTerminated).count, 5)
    }

    func testWithTheTerminateOffTheSamplesAreOnlyLogged() throws {
        let project = try ProjectFixture(
            self, runtime: ["round_timeout_s = 45"],
            extra: "[monitor.host_health.pressure]\nin_round_terminate = false\ncritical_consecutive_samples = 2\n")
        let clock = AlarmClock()
        let spawns = Spawns(clock: clock.fake)
        let memory = ScriptedMemory(
            clock: clock.fake,
            host: { elapsed in
                spawns.sinceLast(elapsed).map { $0 >= .seconds(5) } ?? false ? .critical : .healthy
            })
        XCTAssertEqual(
            serve(project, runningAgents(1, spawns), clock: clock, memory: memory, options: .init(once: true)), 0)
        XCTAssertEqual(
            try project.payloads(.roundMemCriticalSample).map { $0["consecutive"] }, [1, 2, 3, 4],
            "at most 2 × critical_consecutive_samples per streak")
        XCTAssertEqual(try project.payloads(.roundMemTerminated), [])
        XCTAssertEqual(try project.payloads(.roundTimeoutKill).count, 1, "the hard wall ended it")
    }

    func testTheNudgeSendsABareSIGTERMAtTheFirstCriticalSample() throws {
        let project = try ProjectFixture(self, extra: "[monitor.host_health.pressure]\nin_round_nudge = true\n")
        let clock = AlarmClock()
        let spawns = Spawns(clock: clock.fake)
        let memory = ScriptedMemory(clock: clock.fake, host: Self.criticalDuringRounds(spawns))
        XCTAssertEqual(
            serve(project, runningAgents(1, spawns), clock: clock, memory: memory, options: .init(once: true)), 0)
        XCTAssertEqual(try project.payloads(.roundMemTerminated).map { $0["tier"] }, ["nudge"])
        XCTAssertEqual(try project.payloads(.agentExit).first?["exit_code"], -15)
        let duration = try XCTUnwrap(project.payloads(.agentExit).first?["duration_s"]?.doubleValue)
        XCTAssertLessThan(duration, 20, "the agent stopped on its own after the 10 s sample, before the next")
    }

    let v1 = CgroupLocation(
        version: .v1, cgroupPath: "/agent-runner", directory: "/sys/fs/cgroup/memory/agent-runner",
        mountPoint: "/sys/fs/cgroup/memory")

    func boundedFacts(brake: MemoryHighBrake.Status = .off) -> CgroupMemoryFacts {
        CgroupMemoryFacts(
            location: v1, boundingDirectory: v1.directory, memoryMax: 64 << 20, memorySwapMax: 0,
            memoryHigh: nil, delegated: nil, swapTotalBytes: 0, agentIsContainer: false, brake: brake)
    }

    func testABoundingCgroupTakesOverFromTheTerminate() throws {
        let project = try ProjectFixture(self, runtime: ["round_timeout_s = 45"])
        let clock = AlarmClock()
        let spawns = Spawns(clock: clock.fake)
        let memory = ScriptedMemory(clock: clock.fake, host: Self.criticalDuringRounds(spawns), facts: boundedFacts())
        XCTAssertEqual(
            serve(project, runningAgents(1, spawns), clock: clock, memory: memory, options: .init(once: true)), 0)
        XCTAssertEqual(try project.payloads(.hostCgroupMemoryLimit).first?["defer"], true)
        let deferred = try project.payloads(.memPressureDeferredToCgroup)
        XCTAssertEqual(deferred.map { Array($0.keys) }, [["pid", "signal", "message"]], "once per streak")
        XCTAssertEqual(try project.payloads(.roundMemTerminated), [], "the kernel confines the round")
        XCTAssertEqual(try project.payloads(.roundTimeoutKill).count, 1)
    }

    /// serve's cgroup (v1) with the kernel's OOM-kill counter at `kills`.
    static func v1Reading(usage: Int64, kills: Int64) -> CgroupMemoryReading {
        .v1(
            CgroupV1MemoryReading(
                usageBytes: usage, limit: .bytes(64 << 20), maxUsageBytes: 60 << 20, failCount: kills * 10,
                oomControl: .init(oomKills: kills)))
    }

    func testKernelOOMKillsAreRecognisedAndFiveTripMemLoop() throws {
        let project = try ProjectFixture(self)
        let clock = AlarmClock()
        let spawns = Spawns(clock: clock.fake)
        let memory = ScriptedMemory(
            clock: clock.fake, cgroup: { _ in Self.v1Reading(usage: 8 << 20, kills: Int64(spawns.count)) },
            facts: boundedFacts())
        let agents = StandInAgents(
            Array(repeating: .script("echo allocating; kill -9 $$"), count: 5),
            onSpawn: { _ in spawns.record() })
        let code = serve(project, agents, clock: clock, memory: memory)
        XCTAssertEqual(code, ExitCode.memLoop)
        let oom = try XCTUnwrap(project.payloads(.roundOomKilled).first)
        XCTAssertEqual(oom["round_num"], 1)
        XCTAssertEqual(oom["events_oom_kill_delta"], 1)
        XCTAssertEqual(oom["partial_log"], true)
        let logPath = try XCTUnwrap(oom["log_path"]?.stringValue)
        XCTAssertTrue(logPath.hasPrefix(project.logDir + "/rounds/R1-") && logPath.hasSuffix(".log"), logPath)
        let cgroup = try XCTUnwrap(project.payloads(.roundCgroupMemory).first)
        XCTAssertEqual(cgroup["bounding_cgroup_path"], "/sys/fs/cgroup/memory/agent-runner")
        XCTAssertEqual(cgroup["events_max_delta"], 10, "v1: memory.failcnt")
        XCTAssertEqual(
            try project.kinds().drop { $0 != "round_substrate_after" }.prefix(3),
            ["round_substrate_after", "round_cgroup_memory", "round_oom_killed"])
        XCTAssertEqual(try project.payloads(.roundOomKilled).count, 5)
        XCTAssertEqual(try project.payloads(.crashLoop), [], "OOM kills are memory losses, not crashes")
        XCTAssertEqual(try project.payloads(.memLoop).first?["exit_code"], -9)
    }

    func testTheBrakeCapsMemoryHighUnderPressureAndLiftsItAtRoundEnd() throws {
        let project = try ProjectFixture(
            self, runtime: ["round_timeout_s = 45"], extra: "[monitor.host_health.brake]\nmemory_high = true\n")
        let clock = AlarmClock()
        let spawns = Spawns(clock: clock.fake)
        let v2 = CgroupLocation(
            version: .v2, cgroupPath: "/app.slice/agent-runner@demo.service",
            directory: "/sys/fs/cgroup/app.slice/agent-runner@demo.service", mountPoint: "/sys/fs/cgroup")
        let facts = CgroupMemoryFacts(
            location: v2, boundingDirectory: nil, memoryMax: nil, memorySwapMax: nil,
            memoryHigh: nil, delegated: true, swapTotalBytes: 0, agentIsContainer: false,
            brake: .armed)
        let memory = ScriptedMemory(
            clock: clock.fake,
            host: { elapsed in spawns.sinceLast(elapsed).map { $0 >= .seconds(5) } ?? false ? .warning : .healthy },
            cgroup: { _ in .v2(CgroupV2MemoryReading(currentBytes: 300 << 20, max: .unlimited, high: .unlimited)) },
            facts: facts)
        XCTAssertEqual(
            serve(project, runningAgents(1, spawns), clock: clock, memory: memory, options: .init(once: true)), 0)
        XCTAssertEqual(memory.writes, [.bytes(300 << 20), .unlimited], "capped at current usage, then restored")
        let engaged = try XCTUnwrap(project.payloads(.memoryHighEngaged).first)
        XCTAssertEqual(engaged["written"], .int(300 << 20))
        XCTAssertEqual(engaged["previous"], .null)
        XCTAssertEqual(try project.payloads(.memoryHighReleased), [["round_num": 1, "reason": "round_end"]])
        XCTAssertEqual(
            try project.kinds().filter { ["memory_high_released", "agent_exit"].contains($0) },
            ["memory_high_released", "agent_exit"], "lifted as soon as the agent is reaped")
    }

    func testFastGrowthOfTheCgroupIsReportedOncePerEpisode() throws {
        let project = try ProjectFixture(self, runtime: ["round_timeout_s = 45"])
        let clock = AlarmClock()
        let spawns = Spawns(clock: clock.fake)
        let memory = ScriptedMemory(
            clock: clock.fake,
            cgroup: { elapsed in
                let since = spawns.sinceLast(elapsed) ?? .zero
                return Self.v1Reading(usage: since >= .seconds(20) ? 1200 << 20 : 100 << 20, kills: 0)
            })
        XCTAssertEqual(
            serve(project, runningAgents(1, spawns), clock: clock, memory: memory, options: .init(once: true)), 0)
        let warning = try XCTUnwrap(project.payloads(.cgroupGrowthRateWarning).first)
        XCTAssertEqual(warning["rate_mb_per_min"], 6600.0)
        XCTAssertEqual(warning["source"], "cgroup")
        XCTAssertEqual(try project.payloads(.cgroupGrowthRateWarning).count, 1)
    }
}
