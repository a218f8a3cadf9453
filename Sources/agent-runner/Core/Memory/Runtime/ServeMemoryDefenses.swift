import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The memory defenses as serve runs them (detectors.md §10, commands.md §2.13): the boot-time
/// cgroup probe, the pre-round gate, the 10 s in-round floor and brake, the round's cgroup
/// ledger and the mem_loop breaker. The decisions are the values in Memory/Decisions; this
/// object samples, feeds them on serve's monotonic clock, writes their events and performs
/// their actions (a nudge, a `memory.high` write), so a test drives it all with scripted
/// readings on a fake clock.
///
/// One per serve, used only from serve's loop thread (the round's watch runs on it too).
final class ServeMemoryDefenses: RoundMemoryObserver {
    let settings: MemoryDefenseSettings
    let sampler: any MemorySampler
    let clock: any MonotonicClock
    let wallClock: any WallClock
    let events: EventSink
    /// What bounds serve's memory, probed once at boot.
    let facts: CgroupMemoryFacts
    private let origin: ContinuousClock.Instant
    private var tracker: MemoryPressureTracker
    private var gate = PreRoundMemoryGate()
    private var breaker: MemLoopBreaker
    /// The round in flight.
    private var watch: InRoundMemoryWatch?
    private var ledger: RoundMemoryLedger?
    private var nextTick: ContinuousClock.Instant?

    /// Probes the cgroup and writes `host_cgroup_memory_limit` (once per serve).
    /// - Parameter priorLoopEpochs: Unix times of the `mem_loop` events of earlier serves.
    init(
        config: AgentRunnerConfig, sampler: any MemorySampler, clock: any MonotonicClock, wallClock: any WallClock,
        events: EventSink, priorLoopEpochs: [Double]
    ) {
        settings = MemoryDefenseSettings(config.monitor.hostHealth)
        self.sampler = sampler
        self.clock = clock
        self.wallClock = wallClock
        self.events = events
        origin = clock.now
        tracker = MemoryPressureTracker(thresholds: settings.ladder)
        breaker = MemLoopBreaker(priorLoopEpochs: priorLoopEpochs)
        facts = sampler.probe(brakeEnabled: settings.brakeEnabled, agentIsContainer: Self.runsInContainer(config))
        events.emit(facts.event)
    }

    /// Serve's `mem_loop` events in the newest two month files, for the breaker's 2 h window.
    static func priorLoopEpochs(logDir: String) -> [Double] {
        let events = (try? EventLogReader(directory: logDir).tail(kinds: [EventKind.memLoop.rawValue], limit: 64)) ?? []
        return MemLoopBreaker.priorLoopEpochs(in: events)
    }

    /// Whether an agent (any phase's) runs in a container, outside serve's cgroup limit.
    static func runsInContainer(_ config: AgentRunnerConfig) -> Bool {
        let agents = [config.agent] + config.phases.overrides.values.compactMap(\.agent)
        return agents.contains { agent in
            let words = agent.execPrefix + agent.command
            guard let first = words.first, words.count > 1 else { return false }
            return ["docker", "podman"].contains(ConfigPaths.basename(first)) && words[1] == "run"
        }
    }

    private func seconds(_ instant: ContinuousClock.Instant) -> Double {
        let elapsed = instant - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    // MARK: Pre-round gate

    /// One poll of the pre-round gate (its events written).
    func checkGate() -> PreRoundMemoryGate.Decision {
        let now = clock.now
        let step = gate.check(tracker.classify(sampler.readHost(), at: seconds(now)), now: seconds(now))
        for event in step.events { events.emit(event) }
        return step.decision
    }

    /// A stop ended the deferral: no `round_resumed`.
    func gateInterrupted() {
        gate.interrupted()
    }

    // MARK: The round

    func roundWillSpawn(round: Int) {
        ledger = RoundMemoryLedger(
            roundNum: round, before: sampler.readCgroup(),
            kernelOOMKillsBefore: sampler.readHost().vmstat.oomKills)
        watch = nil
    }

    func agentStarted(round: Int, pid: Int32) {
        watch = InRoundMemoryWatch(
            roundNum: round, pid: pid, settings: settings, defersToCgroup: facts.defersToCgroup,
            brake: facts.brake)
        nextTick = clock.now + .seconds(MemoryDefenseSettings.inRoundTickS)
    }

    /// Samples every ``MemoryDefenseSettings/inRoundTickS`` seconds. An ok tick makes no
    /// allocation: the readings go into fixed buffers and the decisions build nothing unless
    /// they have an event to report.
    func tick(now: ContinuousClock.Instant, process: RunningProcess) -> MemoryOrder {
        guard let due = nextTick, now >= due, var watch else { return .carryOn }
        nextTick = now + .seconds(MemoryDefenseSettings.inRoundTickS)
        let cgroup = sampler.readCgroup()
        if let cgroup { ledger?.observe(cgroup) }
        let at = seconds(now)
        let step = watch.tick(tracker.classify(sampler.readHost(), at: at), now: at, cgroup: cgroup)
        self.watch = watch
        for event in step.events { events.emit(event) }
        return perform(step.actions, process: process)
    }

    func agentReaped() {
        nextTick = nil
        guard let watch else { return }
        _ = perform(watch.roundEnded().actions, process: nil)
    }

    private func perform(_ actions: [InRoundMemoryWatch.Action], process: RunningProcess?) -> MemoryOrder {
        var order = MemoryOrder.carryOn
        for action in actions {
            switch action {
            case .nudge:
                _ = try? process?.signalGroup(SIGTERM)
            case .terminate(let graceS):
                order = .terminate(grace: .seconds(graceS))
            case .writeMemoryHigh(let write):
                let event: MemoryEvent?
                switch sampler.writeMemoryHigh(write.value) {
                case .success(let ms): event = watch?.brakeWriteCompleted(write, writeMS: ms)
                case .failure(let error): event = watch?.brakeWriteFailed(write, errno: error.errno)
                }
                if let event { events.emit(event) }
            }
        }
        return order
    }

    /// How the round ended for the memory defenses.
    struct RoundEnd: Equatable {
        /// A `round_mem_terminated` (nudge or terminate) was written this round.
        var memTerminated = false
        /// The kernel OOM-killed the round (`round_oom_killed`).
        var oomKilled = false

        /// Counts towards mem_loop and as throttled, not as a crash (see ``finishRound(_:)``).
        var isMemoryLoss: Bool { memTerminated || oomKilled }
    }

    /// After `round_substrate_after`: `round_cgroup_memory` and `round_oom_killed`.
    ///
    /// A round the kernel OOM-killed counts like a memory-terminated one (throttled, mem_loop):
    /// when serve's cgroup bounds memory the floor defers to the kernel, and its OOM kill is that
    /// deferral's terminate; counting it as a crash would end serve as a crash loop (75) on a
    /// host whose only fault is too little memory.
    func finishRound(_ result: RoundResult) -> RoundEnd {
        defer {
            ledger = nil
            watch = nil
            nextTick = nil
        }
        guard let ledger, case .ran(let exit) = result.kind else { return RoundEnd() }
        var info = stat()
        let logBytes = stat(result.logPath, &info) == 0 ? Int64(info.st_size) : 0
        let end = RoundMemoryLedger.RoundEnd(
            after: sampler.readCgroup(), kernelOOMKillsAfter: sampler.readHost().vmstat.oomKills,
            agentExit: exit.status,
            killedBySupervisor: exit.timedOut || exit.graceKilled || exit.memTerminated, logPath: result.logPath,
            logBytes: logBytes, boundingCgroupPath: facts.boundingDirectory)
        let written = ledger.finish(end)
        for event in written { events.emit(event) }
        return RoundEnd(
            memTerminated: watch?.memTerminated ?? false,
            oomKilled: written.contains { $0.kind == .roundOomKilled })
    }

    /// The mem_loop breaker's verdict on a finished round.
    func recordForBreaker(_ end: RoundEnd, exitCode: Int32) -> MemLoopBreaker.Verdict {
        let now = wallClock.now()
        return breaker.record(
            memTerminated: end.isMemoryLoss, exitCode: exitCode,
            nowEpoch: Double(now.seconds) + Double(now.nanoseconds) / 1e9)
    }
}
