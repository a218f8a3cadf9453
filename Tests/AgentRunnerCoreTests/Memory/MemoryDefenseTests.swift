import Detectors
import FleetCore
import Glibc
import XCTest

@testable import AgentRunnerCore

/// A host reading from recorded files; `psi` nil is a kernel without PSI.
func hostReading(_ meminfo: String, _ vmstat: String? = nil, psi: String? = nil) -> HostMemoryReading {
    HostMemoryReading(
        meminfo: parseFile(meminfo, MeminfoReading.parse),
        vmstat: vmstat.map { parseFile($0, VmstatReading.parse) } ?? VmstatReading(),
        pressure: psi.flatMap { parseFile($0, PressureReading.parse) }, pageSize: 4096)
}

final class MemoryTierTests: XCTestCase {
    let thresholds = MemoryDefenseSettings().ladder

    func testTheBuildMachineIsOK() {
        let reading = hostReading(
            MemoryFixtures.hostMeminfo, MemoryFixtures.hostVmstat, psi: MemoryFixtures.hostPressure)
        XCTAssertEqual(MemoryTier.classify(reading, previous: reading, thresholds: thresholds), .ok)
    }

    func testPSIFullAboveTheThresholdIsCritical() throws {
        let reading = hostReading(MemoryFixtures.hostMeminfo, psi: MemoryFixtures.stalledPressure)
        let tier = MemoryTier.classify(reading, previous: nil, thresholds: thresholds)
        XCTAssertTrue(tier.isCritical)
        let pressure = try XCTUnwrap(tier.pressure)
        XCTAssertEqual(pressure.signal, .psi)
        XCTAssertEqual(pressure.message, "memory PSI full avg10 63.85 >= 60.0")
    }

    func testPSISomeAboveTheWarningIsAWarningAndPSIOverridesTheProxies() throws {
        let psi = "some avg10=5.50 avg60=1.00 avg300=0.20 total=10\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
        let stalled = hostReading(MemoryFixtures.piMeminfoPressure, MemoryFixtures.piVmstatAfter, psi: psi)
        let before = hostReading(MemoryFixtures.piMeminfoPressure, MemoryFixtures.piVmstatBefore, psi: psi)
        let tier = MemoryTier.classify(stalled, previous: before, thresholds: thresholds)
        XCTAssertEqual(tier.name, "warning")
        XCTAssertEqual(
            tier.pressure?.signal, .psi, "readable PSI is authoritative: swap-out and free memory are not consulted")
        let calm = hostReading(
            MemoryFixtures.piMeminfoPressure, MemoryFixtures.piVmstatAfter, psi: MemoryFixtures.hostPressure)
        XCTAssertEqual(MemoryTier.classify(calm, previous: before, thresholds: thresholds), .ok)
    }

    func testAPiWithoutPSISwappingWithLittleFreeMemoryIsCritical() throws {
        let before = hostReading(MemoryFixtures.piMeminfoPressure, MemoryFixtures.piVmstatBefore)
        let now = hostReading(MemoryFixtures.piMeminfoPressure, MemoryFixtures.piVmstatAfter)
        let tier = MemoryTier.classify(now, previous: before, thresholds: thresholds)
        XCTAssertTrue(tier.isCritical)
        XCTAssertEqual(tier.pressure?.signal, .swapOutRate)
        XCTAssertEqual(tier.pressure?.context["swap_out_mb"]?.doubleValue ?? 0, 40.6875, accuracy: 1e-9)
    }

    func testSwapOutWithFreeMemoryIsAWarning() {
        let before = hostReading(MemoryFixtures.piMeminfoIdle, MemoryFixtures.piVmstatBefore)
        let now = hostReading(MemoryFixtures.piMeminfoIdle, MemoryFixtures.piVmstatAfter)
        let tier = MemoryTier.classify(now, previous: before, thresholds: thresholds)
        XCTAssertEqual(tier.name, "warning")
        XCTAssertEqual(tier.pressure?.signal, .swapOutRate)
    }

    func testLowFreeAndLowAvailableWithoutASwapDeltaIsCombinedLow() {
        let tier = MemoryTier.classify(
            hostReading(MemoryFixtures.piMeminfoPressure, MemoryFixtures.piVmstatAfter), previous: nil,
            thresholds: thresholds)
        XCTAssertEqual(tier.name, "warning")
        XCTAssertEqual(tier.pressure?.signal, .combinedLow)
        XCTAssertEqual(tier.pressure?.message, "mem_free_mb 9 < 16 and mem_available_mb 37 < 200")
        XCTAssertEqual(
            MemoryTier.classify(hostReading(MemoryFixtures.piMeminfoIdle), previous: nil, thresholds: thresholds), .ok)
    }

    func testNoSignalAtAllIsUnavailable() {
        XCTAssertEqual(MemoryTier.classify(HostMemoryReading(), previous: nil, thresholds: thresholds), .unavailable)
        XCTAssertEqual(
            MemoryTier.classify(hostReading("MemTotal: 1000 kB\n"), previous: nil, thresholds: thresholds), .unavailable
        )
    }

    func testThresholdsComeFromTheConfig() {
        var health = AgentRunnerConfig.HostHealth()
        health.memoryFreeLowMB = 8
        health.pressureCriticalConsecutiveSamples = 4
        health.brakeMemoryHigh = true
        let settings = MemoryDefenseSettings(health)
        XCTAssertEqual(settings.ladder.freeLowMB, 8)
        XCTAssertEqual(settings.criticalConsecutiveSamples, 4)
        XCTAssertTrue(settings.brakeEnabled)
        let before = hostReading(MemoryFixtures.piMeminfoPressure, MemoryFixtures.piVmstatBefore)
        let now = hostReading(MemoryFixtures.piMeminfoPressure, MemoryFixtures.piVmstatAfter)
        XCTAssertEqual(
            MemoryTier.classify(now, previous: before, thresholds: settings.ladder).name, "warning",
            "9 MiB free is not below a floor of 8")
    }

    func testTheTrackerForgetsAStalePreviousReading() {
        var tracker = MemoryPressureTracker(thresholds: thresholds)
        XCTAssertEqual(
            tracker.classify(hostReading(MemoryFixtures.piMeminfoPressure, MemoryFixtures.piVmstatBefore), at: 0)
                .pressure?.signal, .combinedLow)
        XCTAssertTrue(
            tracker.classify(hostReading(MemoryFixtures.piMeminfoPressure, MemoryFixtures.piVmstatAfter), at: 10)
                .isCritical)
        let later = MemoryFixtures.piVmstatAfter.replacingOccurrences(of: "pswpout 191650", with: "pswpout 291650")
        XCTAssertEqual(
            tracker.classify(hostReading(MemoryFixtures.piMeminfoPressure, later), at: 100).pressure?.signal,
            .combinedLow,
            "swap-out accumulated over 90 s is not a burst: the delta is skipped")
    }
}

final class PreRoundMemoryGateTests: XCTestCase {
    let critical = MemoryTier.classify(
        hostReading(MemoryFixtures.hostMeminfo, psi: MemoryFixtures.stalledPressure), previous: nil, thresholds: .init()
    )
    let warning = MemoryTier.classify(hostReading(MemoryFixtures.piMeminfoPressure), previous: nil, thresholds: .init())

    func testDefersWhileCriticalAndResumesWhenItClears() {
        var gate = PreRoundMemoryGate()
        XCTAssertEqual(gate.check(.ok, now: 0), .init(decision: .proceed, events: []))
        XCTAssertEqual(gate.check(warning, now: 5).decision, .proceed, "a warning never holds a round back")
        XCTAssertEqual(gate.check(.unavailable, now: 6).decision, .proceed)

        let deferred = gate.check(critical, now: 100)
        XCTAssertEqual(deferred.decision, .wait(seconds: 30))
        XCTAssertEqual(
            deferred.events.written,
            [
                WrittenEvent(
                    .roundDeferred,
                    JSONObject([
                        ("severity", "critical"), ("signal", "psi"), ("message", "memory PSI full avg10 63.85 >= 60.0"),
                    ]))
            ])
        XCTAssertTrue(gate.isDeferring)
        XCTAssertEqual(
            gate.check(critical, now: 130), .init(decision: .wait(seconds: 30), events: []),
            "one round_deferred per deferral")
        XCTAssertEqual(gate.check(critical, now: 160).decision, .wait(seconds: 30))

        let resumed = gate.check(warning, now: 190.7)
        XCTAssertEqual(resumed.decision, .resume, "back to the loop top: stop file, sentinel and throttle first")
        XCTAssertEqual(resumed.events.written, [WrittenEvent(.roundResumed, JSONObject([("deferred_for_s", 90)]))])
        XCTAssertEqual(gate.check(.ok, now: 191), .init(decision: .proceed, events: []))
    }

    func testAStopDuringTheDeferralEmitsNoResume() {
        var gate = PreRoundMemoryGate()
        _ = gate.check(critical, now: 0)
        gate.interrupted()
        XCTAssertFalse(gate.isDeferring)
        XCTAssertEqual(gate.check(.ok, now: 30), .init(decision: .proceed, events: []))
        XCTAssertEqual(
            gate.check(critical, now: 60).events.map(\.kind), [.roundDeferred], "a new deferral announces itself again")
    }
}

final class InRoundMemoryWatchTests: XCTestCase {
    let critical = MemoryTier.classify(
        hostReading(MemoryFixtures.hostMeminfo, psi: MemoryFixtures.stalledPressure), previous: nil, thresholds: .init()
    )
    let warning = MemoryTier.classify(hostReading(MemoryFixtures.piMeminfoPressure), previous: nil, thresholds: .init())

    func watch(
        _ configure: (inout MemoryDefenseSettings) -> Void = { _ in }, defers: Bool = false,
        brake: MemoryHighBrake.Status = .off
    ) -> InRoundMemoryWatch {
        var settings = MemoryDefenseSettings()
        configure(&settings)
        return InRoundMemoryWatch(roundNum: 12, pid: 4242, settings: settings, defersToCgroup: defers, brake: brake)
    }

    func testTerminatesAfterThreeCriticalTicksInARow() throws {
        var watch = watch()
        let first = watch.tick(critical, now: 0)
        XCTAssertEqual(first.actions, [])
        XCTAssertEqual(
            first.events.written,
            [
                WrittenEvent(
                    .roundMemCriticalSample,
                    JSONObject([
                        ("round_num", 12), ("consecutive", 1),
                        ("context", .object(try XCTUnwrap(critical.pressure).context)),
                    ]))
            ])
        XCTAssertEqual(watch.tick(critical, now: 10).events.map(\.payload["consecutive"]), [.int(2)])
        let third = watch.tick(critical, now: 20)
        XCTAssertEqual(third.actions, [.terminate(graceS: 15)])
        XCTAssertEqual(third.events.map(\.kind), [.roundMemCriticalSample, .roundMemTerminated])
        XCTAssertEqual(
            third.events[1].payload.keys, ["pid", "severity", "signal", "message", "consecutive", "context", "tier"])
        XCTAssertEqual(third.events[1].payload["pid"], 4242)
        XCTAssertEqual(third.events[1].payload["tier"], "terminate")
        XCTAssertEqual(third.events[1].payload["consecutive"], 3)
        XCTAssertTrue(watch.memTerminated)
        XCTAssertEqual(watch.tick(critical, now: 30), .init(), "terminated: the watch is done for this round")
    }

    func testANonCriticalTickEndsTheStreak() {
        var watch = watch()
        _ = watch.tick(critical, now: 0)
        _ = watch.tick(critical, now: 10)
        XCTAssertEqual(watch.tick(warning, now: 20), .init())
        XCTAssertEqual(watch.streak, 0)
        _ = watch.tick(critical, now: 30)
        XCTAssertEqual(watch.tick(critical, now: 40).actions, [], "the streak started over: 2 of 3")
        XCTAssertEqual(watch.tick(critical, now: 50).actions, [.terminate(graceS: 15)])
    }

    func testCriticalSamplesAreCappedAtTwiceTheThresholdPerStreak() {
        var watch = watch { $0.inRoundTerminate = false }
        var samples = 0
        for tick in 0..<10 {
            let step = watch.tick(critical, now: Double(tick) * 10)
            XCTAssertEqual(step.actions, [])
            samples += step.events.filter { $0.kind == .roundMemCriticalSample }.count
        }
        XCTAssertEqual(samples, 6)
        XCTAssertFalse(watch.memTerminated)
        _ = watch.tick(.ok, now: 100)
        XCTAssertEqual(watch.tick(critical, now: 110).events.count, 1, "a new streak samples again")
    }

    func testTheNudgeIsASIGTERMAtTheFirstCriticalTick() {
        var watch = watch { $0.inRoundNudge = true }
        let first = watch.tick(critical, now: 0)
        XCTAssertEqual(first.actions, [.nudge])
        XCTAssertEqual(first.events.map(\.kind), [.roundMemCriticalSample, .roundMemTerminated])
        XCTAssertEqual(first.events[1].payload["tier"], "nudge")
        XCTAssertEqual(first.events[1].payload["consecutive"], 1)
        XCTAssertTrue(watch.memTerminated)
        XCTAssertEqual(watch.tick(critical, now: 10).actions, [], "one nudge per streak")
        XCTAssertEqual(
            watch.tick(critical, now: 20).actions, [.terminate(graceS: 15)],
            "an agent that ignored the nudge is terminated")
    }

    func testABoundingCgroupTakesOverTheTerminate() {
        var watch = watch(defers: true)
        _ = watch.tick(critical, now: 0)
        _ = watch.tick(critical, now: 10)
        let third = watch.tick(critical, now: 20)
        XCTAssertEqual(third.actions, [])
        XCTAssertEqual(third.events.map(\.kind), [.roundMemCriticalSample, .memPressureDeferredToCgroup])
        XCTAssertEqual(
            third.events[1].payload,
            JSONObject([("pid", 4242), ("signal", "psi"), ("message", "memory PSI full avg10 63.85 >= 60.0")]))
        XCTAssertEqual(watch.tick(critical, now: 30).events.map(\.kind), [.roundMemCriticalSample], "once per streak")
        XCTAssertFalse(watch.memTerminated)
    }

    func testGrowthWarningOncePerEpisode() {
        var watch = watch()
        func cgroup(_ mib: Int64) -> CgroupMemoryReading {
            .v2(CgroupV2MemoryReading(currentBytes: mib << 20, max: .unlimited, high: .unlimited))
        }
        XCTAssertEqual(watch.tick(.ok, now: 0, cgroup: cgroup(100)), .init())
        let fast = watch.tick(.ok, now: 10, cgroup: cgroup(200))
        XCTAssertEqual(
            fast.events.written,
            [
                WrittenEvent(
                    .cgroupGrowthRateWarning,
                    JSONObject([
                        ("round_num", 12), ("rate_mb_per_min", 600.0), ("threshold_mb_per_min", 512.0),
                        ("source", "cgroup"),
                        (
                            "context",
                            .object(
                                JSONObject([
                                    ("previous_bytes", .int(100 << 20)), ("current_bytes", .int(200 << 20)),
                                    ("interval_s", 10.0),
                                ]))
                        ),
                    ]))
            ])
        XCTAssertEqual(watch.tick(.ok, now: 20, cgroup: cgroup(300)), .init(), "the same episode")
        XCTAssertEqual(watch.lastRateMBPerMin, 600)
        XCTAssertEqual(watch.tick(.ok, now: 30, cgroup: cgroup(310)), .init())
        XCTAssertEqual(
            watch.tick(.ok, now: 40, cgroup: cgroup(410)).events.map(\.kind), [.cgroupGrowthRateWarning],
            "a new episode")
        var rss = self.watch()
        _ = rss.tick(.ok, now: 0, rssSumBytes: 0)
        XCTAssertEqual(rss.tick(.ok, now: 10, rssSumBytes: 90 << 20).events.first?.payload["source"], "rss_sum")
    }

    func testAnArmedBrakeWritesThroughTheWatch() throws {
        var watch = watch(brake: .armed)
        let cgroup = CgroupMemoryReading.v2(
            CgroupV2MemoryReading(currentBytes: 300 << 20, max: .unlimited, high: .unlimited))
        XCTAssertEqual(watch.tick(warning, now: 0, cgroup: cgroup).actions, [])
        XCTAssertEqual(watch.tick(warning, now: 10, cgroup: cgroup).actions, [])
        let engage = watch.tick(warning, now: 20, cgroup: cgroup)
        let write = MemoryHighBrake.Write(value: .bytes(300 << 20), purpose: .engage)
        XCTAssertEqual(engage.actions, [.writeMemoryHigh(write)])
        XCTAssertEqual(watch.brakeWriteCompleted(write, writeMS: 3.24)?.kind, .memoryHighEngaged)
        XCTAssertEqual(watch.roundEnded().actions, [.writeMemoryHigh(.init(value: .unlimited, purpose: .roundEnd))])
        XCTAssertEqual(self.watch(brake: .inertUndelegated).roundEnded(), .init(), "no brake unless armed")
    }
}

final class MemoryHighBrakeTests: XCTestCase {
    let warning = MemoryTier.classify(hostReading(MemoryFixtures.piMeminfoPressure), previous: nil, thresholds: .init())

    func testStatusAsPeekShowsIt() {
        XCTAssertEqual(
            MemoryHighBrake.Status.resolve(enabled: false, cgroup: .v2, memoryHighWritable: true).rawValue, "off")
        XCTAssertEqual(
            MemoryHighBrake.Status.resolve(enabled: true, cgroup: .v2, memoryHighWritable: true).rawValue, "armed")
        XCTAssertEqual(
            MemoryHighBrake.Status.resolve(enabled: true, cgroup: .v2, memoryHighWritable: false).rawValue,
            "inert(undelegated)")
        XCTAssertEqual(
            MemoryHighBrake.Status.resolve(enabled: true, cgroup: .v1, memoryHighWritable: false).rawValue,
            "inert(no cgroup v2)")
        XCTAssertEqual(
            MemoryHighBrake.Status.resolve(enabled: true, cgroup: nil, memoryHighWritable: false).rawValue,
            "inert(no cgroup v2)")
    }

    func testEngagesAfterNPressureTicksAndReleasesAfterNOKTicks() throws {
        var brake = MemoryHighBrake(roundNum: 3, stepPct: 10, consecutiveSamples: 3)
        XCTAssertNil(brake.tick(warning, memoryCurrent: 400_000_000, memoryHigh: .unlimited, rateMBPerMin: nil))
        XCTAssertNil(
            brake.tick(.unavailable, memoryCurrent: 400_000_000, memoryHigh: .unlimited, rateMBPerMin: nil),
            "an unavailable tick breaks the streak")
        XCTAssertNil(brake.tick(warning, memoryCurrent: 400_000_000, memoryHigh: .unlimited, rateMBPerMin: nil))
        XCTAssertNil(brake.tick(warning, memoryCurrent: 400_000_000, memoryHigh: .unlimited, rateMBPerMin: nil))
        let engage = try XCTUnwrap(
            brake.tick(warning, memoryCurrent: 400_000_000, memoryHigh: .unlimited, rateMBPerMin: 123.45))
        XCTAssertEqual(engage, .init(value: .bytes(360_000_000), purpose: .engage), "10 % below current usage")
        XCTAssertNil(
            brake.tick(warning, memoryCurrent: 400_000_000, memoryHigh: .unlimited, rateMBPerMin: nil),
            "nothing while the write is out")
        let engaged = brake.completed(engage, writeMS: 12.345)
        XCTAssertEqual(engaged.kind, .memoryHighEngaged)
        XCTAssertEqual(
            engaged.payload.keys,
            ["round_num", "previous", "written", "memory_current", "write_ms", "signal", "context", "rate_mb_per_min"])
        XCTAssertEqual(engaged.payload["previous"], .null, "memory.high was max")
        XCTAssertEqual(engaged.payload["written"], 360_000_000)
        XCTAssertEqual(engaged.payload["memory_current"], 400_000_000)
        XCTAssertEqual(engaged.payload["write_ms"], 12.3)
        XCTAssertEqual(engaged.payload["signal"], "combined_low")
        XCTAssertEqual(engaged.payload["rate_mb_per_min"], 123.5)
        XCTAssertEqual(brake.engagement, .init(previous: .unlimited, written: 360_000_000))

        XCTAssertNil(brake.tick(.ok, memoryCurrent: 350_000_000, memoryHigh: .bytes(360_000_000), rateMBPerMin: nil))
        XCTAssertNil(brake.tick(.ok, memoryCurrent: 350_000_000, memoryHigh: .bytes(360_000_000), rateMBPerMin: nil))
        let release = try XCTUnwrap(
            brake.tick(.ok, memoryCurrent: 350_000_000, memoryHigh: .bytes(360_000_000), rateMBPerMin: nil))
        XCTAssertEqual(release, .init(value: .unlimited, purpose: .recovered))
        XCTAssertEqual(
            brake.completed(release, writeMS: 1).written,
            WrittenEvent(.memoryHighReleased, JSONObject([("round_num", 3), ("reason", "recovered")])))
        XCTAssertNil(brake.engagement)
        XCTAssertNil(brake.roundEnded(), "nothing to restore")
    }

    func testStepZeroCapsAtCurrentUsageAndATighterLimitIsKept() {
        var brake = MemoryHighBrake(roundNum: 1, stepPct: 0, consecutiveSamples: 1)
        XCTAssertEqual(brake.cap(for: 123_456_789), 123_456_789)
        XCTAssertNil(
            brake.tick(warning, memoryCurrent: 500_000_000, memoryHigh: .bytes(300_000_000), rateMBPerMin: nil),
            "never loosen a tighter memory.high")
        XCTAssertEqual(
            brake.tick(warning, memoryCurrent: 200_000_000, memoryHigh: .bytes(300_000_000), rateMBPerMin: nil),
            .init(value: .bytes(200_000_000), purpose: .engage))
        var blind = MemoryHighBrake(roundNum: 1, stepPct: 0, consecutiveSamples: 1)
        XCTAssertNil(
            blind.tick(warning, memoryCurrent: nil, memoryHigh: .unlimited, rateMBPerMin: nil),
            "no reading of the cgroup, no write")
    }

    func testFailedWritesAndTheRoundEnd() throws {
        var brake = MemoryHighBrake(roundNum: 9, stepPct: 0, consecutiveSamples: 1)
        let engage = try XCTUnwrap(
            brake.tick(warning, memoryCurrent: 1000, memoryHigh: .bytes(5000), rateMBPerMin: nil))
        XCTAssertEqual(
            brake.failed(engage, errno: EACCES).written,
            WrittenEvent(.memoryHighWriteFailed, JSONObject([("round_num", 9), ("errno", .int(Int64(EACCES)))])))
        XCTAssertNil(brake.engagement)
        let again = try XCTUnwrap(brake.tick(warning, memoryCurrent: 1000, memoryHigh: .bytes(5000), rateMBPerMin: nil))
        _ = brake.completed(again, writeMS: 0.5)
        let restore = try XCTUnwrap(brake.roundEnded())
        XCTAssertEqual(
            restore, .init(value: .bytes(5000), purpose: .roundEnd), "the previous limit comes back, not max")
        XCTAssertEqual(brake.failed(restore, errno: nil).payload["errno"], .null)
        XCTAssertNotNil(brake.engagement, "a failed restore keeps the brake engaged so it is retried")
        XCTAssertEqual(brake.completed(restore, writeMS: 0.1).payload["reason"], "round_end")
    }
}

final class MemLoopBreakerTests: XCTestCase {
    func testFiveMemTerminatedRoundsInARowGiveUpWith71() throws {
        var breaker = MemLoopBreaker()
        for _ in 0..<4 { XCTAssertEqual(breaker.record(memTerminated: true, exitCode: 0, nowEpoch: 1000), .carryOn) }
        XCTAssertEqual(breaker.record(memTerminated: false, exitCode: 1, nowEpoch: 1000), .carryOn)
        XCTAssertEqual(breaker.consecutive, 0, "a round that was not mem-terminated resets the count")
        for _ in 0..<4 { _ = breaker.record(memTerminated: true, exitCode: 0, nowEpoch: 2000) }
        let verdict = breaker.record(memTerminated: true, exitCode: -15, nowEpoch: 2000)
        XCTAssertEqual(verdict, .memLoop(consecutive: 5, exitCode: -15))
        XCTAssertEqual(verdict.processExitCode, 71)
        XCTAssertEqual(
            verdict.event(reason: "")?.written,
            WrittenEvent(.memLoop, JSONObject([("consecutive", 5), ("exit_code", -15), ("reason", "")])))
        XCTAssertNil(MemLoopBreaker.Verdict.carryOn.event(reason: "x"))
    }

    func testTheThirdMemLoopWithinTwoHoursIsPersistentWith70() throws {
        let events = [
            Event(ts: "2026-11-25T10:00:00.000Z", kind: "mem_loop", payload: [:], raw: ""),
            Event(ts: "2026-11-25T10:30:00.000Z", kind: "crash_loop", payload: [:], raw: ""),
            Event(ts: "2026-11-25T11:00:00.000Z", kind: "mem_loop", payload: [:], raw: ""),
        ]
        let prior = MemLoopBreaker.priorLoopEpochs(in: events)
        XCTAssertEqual(prior.count, 2)
        let eleven = try XCTUnwrap(prior.last)
        var breaker = MemLoopBreaker(priorLoopEpochs: prior)
        for _ in 0..<4 { _ = breaker.record(memTerminated: true, exitCode: 0, nowEpoch: eleven + 3000) }
        let verdict = breaker.record(memTerminated: true, exitCode: 0, nowEpoch: eleven + 3000)
        XCTAssertEqual(verdict, .memLoopPersistent(consecutive: 5, exitCode: 0, loopsInWindow: 3))
        XCTAssertEqual(verdict.processExitCode, 70)
        XCTAssertEqual(verdict.event(reason: "tail")?.kind, .memLoopPersistent)

        var later = MemLoopBreaker(priorLoopEpochs: prior)
        for _ in 0..<4 { _ = later.record(memTerminated: true, exitCode: 0, nowEpoch: eleven + 5000) }
        XCTAssertEqual(
            later.record(memTerminated: true, exitCode: 0, nowEpoch: eleven + 5000),
            .memLoop(consecutive: 5, exitCode: 0),
            "the 10:00 mem_loop is more than 7200 s old: only 2 in the window")
    }
}

final class RoundMemoryLedgerTests: XCTestCase {
    func v2(current: Int64, peak: Int64, swap: Int64, events: CgroupV2MemoryReading.Events) -> CgroupMemoryReading {
        .v2(
            CgroupV2MemoryReading(
                currentBytes: current, max: .bytes(402_653_184), high: .unlimited, peakBytes: peak,
                swapCurrentBytes: swap,
                swapMax: .bytes(67_108_864), events: events))
    }

    func end(
        _ after: CgroupMemoryReading?, exit: ExitStatus?, kernelAfter: Int64? = 2, bySupervisor: Bool = false,
        bound: String? = "/sys/fs/cgroup/app.slice/agent-runner@demo.service"
    ) -> RoundMemoryLedger.RoundEnd {
        .init(
            after: after, kernelOOMKillsAfter: kernelAfter, agentExit: exit, killedBySupervisor: bySupervisor,
            logPath: "/home/pi/.agent-runner/demo/logs/round-4.log", logBytes: 5120, boundingCgroupPath: bound)
    }

    func testACgroupOOMKillOnThePi() throws {
        var ledger = RoundMemoryLedger(
            roundNum: 4,
            before: v2(current: 150 << 20, peak: 398_458_880, swap: 0, events: .init(max: 214, oom: 1, oomKill: 1)),
            kernelOOMKillsBefore: 2)
        ledger.observe(
            v2(current: 380 << 20, peak: 398_458_880, swap: 40 << 20, events: .init(max: 214, oom: 1, oomKill: 1)))
        let after = v2(
            current: 20 << 20, peak: 402_653_184, swap: 10 << 20, events: .init(high: 0, max: 260, oom: 2, oomKill: 2))
        let events = ledger.finish(end(after, exit: .signalled(SIGKILL), kernelAfter: 3))
        XCTAssertEqual(
            events.written,
            [
                WrittenEvent(
                    .roundCgroupMemory,
                    JSONObject([
                        ("round_num", 4), ("memory_current_peak", 402_653_184),
                        ("memory_swap_current_peak", .int(40 << 20)),
                        ("events_high_delta", 0), ("events_max_delta", 46), ("events_oom_delta", 1),
                        ("events_oom_kill_delta", 1),
                        ("bounding_cgroup_path", "/sys/fs/cgroup/app.slice/agent-runner@demo.service"),
                    ])),
                WrittenEvent(
                    .roundOomKilled,
                    JSONObject([
                        ("round_num", 4), ("log_path", "/home/pi/.agent-runner/demo/logs/round-4.log"),
                        ("log_bytes", 5120),
                        ("events_oom_kill_delta", 1), ("oom_kill_delta", 1), ("partial_log", true),
                    ])),
            ])
    }

    func testWithoutACgroupASIGKILLWithTheKernelCounterMovedIsAnOOMKill() {
        let ledger = RoundMemoryLedger(roundNum: 5, before: nil, kernelOOMKillsBefore: 2)
        XCTAssertEqual(
            ledger.finish(end(nil, exit: .signalled(SIGKILL), kernelAfter: 3, bound: nil)).map(\.kind),
            [.roundOomKilled])
        XCTAssertEqual(
            ledger.finish(end(nil, exit: .signalled(SIGKILL), kernelAfter: 3, bySupervisor: true, bound: nil)), [],
            "serve's own SIGKILL")
        XCTAssertEqual(
            ledger.finish(end(nil, exit: .signalled(SIGKILL), kernelAfter: 2, bound: nil)), [],
            "the counter did not move")
        XCTAssertEqual(
            ledger.finish(end(nil, exit: .terminated(1), kernelAfter: 3, bound: nil)), [],
            "a crash while something else was OOM-killed")
    }

    func testAnUnboundedCgroupGivesNoRoundCgroupMemory() {
        let reading = CgroupMemoryReading.v1(
            CgroupV1MemoryReading(usageBytes: 4 << 20, limit: .unlimited, failCount: 0, oomControl: .init(oomKills: 0)))
        let ledger = RoundMemoryLedger(roundNum: 6, before: reading, kernelOOMKillsBefore: 0)
        XCTAssertEqual(ledger.finish(end(reading, exit: .terminated(0), kernelAfter: 0, bound: nil)), [])
    }
}

final class CgroupMemoryFactsTests: XCTestCase {
    let piLocation = CgroupLocation.candidates(
        procCgroup: MemoryFixtures.piProcCgroup, mountinfo: MemoryFixtures.piMountinfo
    ).v2
    let piUnit = CgroupMemoryReading.v2(
        CgroupV2MemoryReading(
            currentBytes: 187_346_944, max: .bytes(402_653_184), high: .unlimited, swapMax: .bytes(67_108_864)))
    let piMeminfo = parseFile(MemoryFixtures.piMeminfoPressure, MeminfoReading.parse)

    func testAPiUnitWithMemoryMaxAndSwapMaxDefersToTheKernel() throws {
        let facts = CgroupMemoryFacts.probe(
            location: piLocation, leaf: piUnit, bounding: piLocation, boundingReading: piUnit, meminfo: piMeminfo,
            memoryHighWritable: true, brakeEnabled: true, agentIsContainer: false)
        XCTAssertTrue(facts.defersToCgroup)
        XCTAssertEqual(facts.brake, .armed)
        XCTAssertEqual(
            facts.event.written,
            WrittenEvent(
                .hostCgroupMemoryLimit,
                JSONObject([
                    ("memory_max", 402_653_184), ("memory_swap_max", 67_108_864),
                    (
                        "cgroup_path",
                        "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/agent-runner@demo.service"
                    ),
                    ("defer", true), ("swap_total_bytes", 104_853_504), ("swap_cap_pct", 64.0), ("memory_high", nil),
                    ("advisory", nil),
                    ("cgroup_delegated", true),
                ])))
        XCTAssertEqual(facts.doctorJSON["brake"], "armed")
        XCTAssertEqual(facts.doctorJSON["delegated"], true)
        let container = CgroupMemoryFacts.probe(
            location: piLocation, leaf: piUnit, bounding: piLocation, boundingReading: piUnit, meminfo: piMeminfo,
            memoryHighWritable: true, brakeEnabled: false, agentIsContainer: true)
        XCTAssertFalse(container.defersToCgroup, "a containerised agent is outside serve's cgroup")
        XCTAssertNotNil(container.advisory)
    }

    func testTheHybridBuildMachineHasNoBoundAndNoV2Brake() {
        let location = CgroupLocation.candidates(
            procCgroup: MemoryFixtures.v1ProcCgroup, mountinfo: MemoryFixtures.v1Mountinfo
        ).v1
        let leaf = CgroupMemoryReading.v1(CgroupV1MemoryReading(usageBytes: 3_997_696, limit: .unlimited))
        let facts = CgroupMemoryFacts.probe(
            location: location, leaf: leaf, bounding: nil, boundingReading: nil,
            meminfo: parseFile(MemoryFixtures.hostMeminfo, MeminfoReading.parse),
            memoryHighWritable: false, brakeEnabled: true, agentIsContainer: false)
        XCTAssertFalse(facts.defersToCgroup)
        XCTAssertEqual(facts.brake, .inertNoCgroupV2)
        XCTAssertEqual(
            facts.event.payload,
            JSONObject([
                ("memory_max", nil), ("memory_swap_max", nil), ("cgroup_path", nil), ("defer", false),
                ("swap_total_bytes", 0), ("swap_cap_pct", nil),
                ("memory_high", nil), ("advisory", nil), ("cgroup_delegated", nil),
            ]), "the shape of the recorded 0.3.14 event on an unbounded host")
        XCTAssertEqual(
            facts.doctorJSON,
            .object(
                JSONObject([
                    ("cgroup_path", nil), ("memory_max", nil), ("memory_high", nil), ("delegated", nil),
                    ("brake", "inert(no cgroup v2)"),
                ])))
    }

    func testAdvisoriesForLimitsThatDoNotConfineARound() throws {
        let location = try XCTUnwrap(piLocation)
        let slice = CgroupLocation(
            version: .v2, cgroupPath: "/user.slice", directory: "/sys/fs/cgroup/user.slice",
            mountPoint: "/sys/fs/cgroup")
        let ancestor = CgroupMemoryFacts.probe(
            location: location, leaf: piUnit, bounding: slice, boundingReading: piUnit, meminfo: piMeminfo,
            memoryHighWritable: false, brakeEnabled: true, agentIsContainer: false)
        XCTAssertFalse(
            ancestor.defersToCgroup,
            "a limit on an ancestor also bounds sshd and the desktop: the floor stays in charge")
        XCTAssertEqual(ancestor.brake, .inertUndelegated)
        XCTAssertTrue(try XCTUnwrap(ancestor.advisory).contains("/sys/fs/cgroup/user.slice"))

        let noSwapMax = CgroupMemoryReading.v2(
            CgroupV2MemoryReading(currentBytes: 1, max: .bytes(402_653_184), high: .unlimited, swapMax: .unlimited))
        let swapping = CgroupMemoryFacts.probe(
            location: location, leaf: noSwapMax, bounding: location, boundingReading: noSwapMax, meminfo: piMeminfo,
            memoryHighWritable: true, brakeEnabled: false, agentIsContainer: false)
        XCTAssertFalse(swapping.defersToCgroup)
        XCTAssertTrue(try XCTUnwrap(swapping.advisory).contains("MemorySwapMax="))
        XCTAssertEqual(swapping.brake, .off)
    }

    func testDefensesShowTheConfiguration() {
        var settings = MemoryDefenseSettings()
        settings.inRoundTerminate = false
        let entries = MemoryDefenses.entries(settings, brake: .inertUndelegated)
        XCTAssertEqual(
            entries.map(\.name),
            ["pre_round_memory_gate", "mid_round_memory_floor", "mem_loop_breaker", "memory_high_brake"])
        XCTAssertEqual(entries.map(\.currentState), [.active, .off, .active, .degraded])
        XCTAssertEqual(entries[3].value, "inert(undelegated)")
        XCTAssertTrue(
            entries.allSatisfy { $0.guardedBy == "Tests/AgentRunnerCoreTests/Serve/MemoryDefenseServeTests.swift" })
    }
}
