import FleetCore

/// The restart-on-exit loop: before each round the stop triggers and the throttle gate of the
/// round's agent, then the round, then the verdict (``RestartPolicy``: restart after a delay, or
/// give up), the stop triggers again (a bounded run ends with its last round, ``ServeBounds``),
/// then the back-off sleep, which wakes for a signal or the stop file.
///
/// The decisions are values (``RestartPolicy``, ``BackoffPlanner``); this loop only sequences
/// them with the round and the clock, so on a fake clock and a scripted runner "five short
/// crashes trip the breaker after 2, 4, 8, 16 s" runs in milliseconds.
struct RestartLoop {
    let config: AgentRunnerConfig
    let options: Supervisor.Options
    let rounds: RoundRunner
    let triggers: StopTriggers
    let bounds: ServeBounds
    let gate: ThrottleGate
    let events: EventSink
    let fileSystem: any FileSystem
    let stderr: any TextOutput

    private(set) var completed = 0
    private var nextRound: Int
    private var policy: RestartPolicy
    private var throttles: AgentThrottles
    /// The memory and schedule gates of step 6 (RoundGates.swift).
    var gates: RoundGates
    /// Startup-battery environment failures in a row (disk full): each waits longer.
    private var environmentStreak = 0

    init(
        config: AgentRunnerConfig, options: Supervisor.Options, rounds: RoundRunner, triggers: StopTriggers,
        gate: ThrottleGate, throttles: AgentThrottles, gates: RoundGates, events: EventSink,
        fileSystem: any FileSystem, stderr: any TextOutput
    ) {
        self.config = config
        self.options = options
        self.rounds = rounds
        self.triggers = triggers
        bounds = ServeBounds(
            maxRounds: options.maxRoundsOverride ?? config.runtime.maxRounds, once: options.once,
            stopFile: config.runtime.stopFile, triggers: triggers, events: events)
        self.gate = gate
        self.throttles = throttles
        self.gates = gates
        self.events = events
        self.fileSystem = fileSystem
        self.stderr = stderr
        nextRound = rounds.nextRoundNumber()
        policy = RestartPolicy(restartDelayS: config.runtime.restartDelayS)
    }

    /// Runs rounds until something ends serve; `completed` then counts the rounds that ran.
    mutating func run() -> ServeEnding {
        while true {
            if let ending = bounds.beforeRound(completed: completed) { return ending }
            let phase: String?
            switch gates.pass(round: nextRound, agentThrottles: &throttles) {
            case .launch(let chosen): phase = chosen
            case .again: continue
            case .woken(let wake): return bounds.stopped(by: wake, completed: completed)
            case .throttleStop: return .selfTerminated
            }
            // Under phase_policy = skip the gates stepped over throttled phases already; else the
            // round's agent waits out its own throttle here.
            if !gates.stepsOverThrottledPhases {
                let roundPhase = phase ?? config.phases.phase(forRound: nextRound)
                switch gate.pass(&throttles, agent: AgentIdentity(config.agent(forPhase: roundPhase)).name) {
                case .proceed: break
                case .woken(let wake): return bounds.stopped(by: wake, completed: completed)
                case .stopped: return .selfTerminated
                }
            }
            let result = rounds.run(round: nextRound, phase: phase)
            record(result)
            let delay: Duration
            switch verdict(after: result) {
            case .restart(let after): delay = after
            case .stop(let ending): return ending
            }
            if let ending = bounds.afterRound(completed: completed) { return ending }
            if let wake = triggers.sleep(for: delay) { return bounds.stopped(by: wake, completed: completed) }
        }
    }

    /// Counts the round and keeps its agent's throttle current: a classified transient error
    /// starts one, a round that did its job (exit 0 and no error in its output) clears the count
    /// of detections.
    private mutating func record(_ result: RoundResult) {
        completed += 1
        if completed == 1 { options.afterFirstRound?() }
        nextRound += 1
        gates.record(result)
        guard case .ran(let exit) = result.kind else { return }
        throttles.record(
            agent: result.agent, transient: result.transient,
            succeeded: exit.ok && !result.analysis.reportedError)
    }

    enum Verdict: Equatable {
        case restart(after: Duration)
        case stop(ServeEnding)
    }

    private mutating func verdict(after result: RoundResult) -> Verdict {
        let memory = gates.memory?.finishRound(result) ?? .init()
        switch result.kind {
        case .batteryFailed(let failures):
            return batteryVerdict(failures)
        case .ran(let exit):
            environmentStreak = 0
            if let giveUp = memLoopVerdict(memory, exit: exit, round: result) { return .stop(giveUp) }
            var outcome = RoundOutcome(exit: exit, analysis: result.analysis)
            outcome.killedBySupervisor = outcome.killedBySupervisor || exit.memTerminated
            outcome.throttled = outcome.throttled || memory.isMemoryLoss
            return policyVerdict(outcome, round: result)
        case .spawnFailed:
            return policyVerdict(RoundOutcome(exitCode: 127, durationS: 0), round: result)
        }
    }

    /// A permanent battery failure is `config_broken`; an environment one (disk full, log dir
    /// unwritable) is retried with an escalating delay (capped at 5 minutes) until it recovers,
    /// without counting a round.
    private mutating func batteryVerdict(_ failures: [StartupBattery.Failure]) -> Verdict {
        if failures.contains(where: \.permanent) {
            let broken = ConfigBroken(permanentFailures: failures)
            events.emit(broken)
            stderr.write("agent-runner: config_broken: \(broken.reason); fix it, then 'agent-runner start'\n")
            return .stop(.configBroken)
        }
        completed -= 1
        nextRound -= 1
        environmentStreak += 1
        let factor = Double(1 << min(environmentStreak, 20))
        return .restart(after: .seconds(min(config.runtime.restartDelayS * factor, 300)))
    }

    /// The restart policy's verdict on `round`; `crash_loop` when it gives up.
    private mutating func policyVerdict(_ outcome: RoundOutcome, round: RoundResult) -> Verdict {
        switch policy.record(outcome) {
        case .restart(let seconds):
            return .restart(after: .seconds(seconds))
        case .crashLoop(let consecutive, let code):
            reportCrashLoop(consecutive: consecutive, exitCode: code, round: round)
            return .stop(.crashLoop)
        }
    }

    /// `crash_loop` with the redacted tail of the last transcript as the reason (or why the agent
    /// could not start), and what to do on stderr.
    private func reportCrashLoop(consecutive: Int, exitCode: Int32, round: RoundResult) {
        guard case .ran = round.kind else {
            events.emit(
                CrashLoop(
                    consecutive: consecutive, exitCode: exitCode,
                    reason: "the agent could not be started"))
            return
        }
        events.emit(CrashLoop(consecutive: consecutive, exitCode: exitCode, reason: transcriptReason(round)))
        stderr.write(
            "agent-runner: crash_loop: \(consecutive) consecutive short crashes (last exit \(exitCode)); "
                + "read \(round.logPath), fix the cause, then 'agent-runner start'\n")
    }
}
