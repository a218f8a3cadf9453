import FleetCore

/// Step 6 of the serve loop (commands.md §2.13), between the stop triggers and the round: the
/// pre-round memory gate (also under `--ignore-schedule`), then the schedule windows (and,
/// under `phase_policy = "skip"`, the throttled phases stepped over) decide whether round N
/// starts now and with which phase. A gate that paused sends the loop
/// back to its top, so the sentinel, the throttle and the stop file are looked at again before
/// the round.
struct RoundGates {
    /// Serve's memory defenses; nil when serve runs without them (tests of other gates).
    let memory: ServeMemoryDefenses?
    let schedule: ScheduleGate
    let wallClock: any WallClock
    let transientErrorAction: AgentRunnerConfig.TransientErrorAction
    /// The fixed ends of the throttles of phases stepped over; set only when serve steps over
    /// throttled phases (phase-aware skip).
    private(set) var throttles: PhaseThrottles?

    init(
        memory: ServeMemoryDefenses?, schedule: ScheduleGate, wallClock: any WallClock,
        transientErrorAction: AgentRunnerConfig.TransientErrorAction, throttles: PhaseThrottles?
    ) {
        self.memory = memory
        self.schedule = schedule
        self.wallClock = wallClock
        self.transientErrorAction = transientErrorAction
        let stepsOver = schedule.choosesPhase && schedule.schedules.policy == .skip
        self.throttles = stepsOver ? throttles : nil
    }

    enum Outcome: Equatable {
        case launch(phase: String?)
        case again
        case woken(StopTriggers.Wake)
        /// `transient_error_action = "stop"` with every phase throttled or closed.
        case throttleStop
    }

    /// Whether throttles are handled here (per phase) instead of by the loop's throttle gate.
    var stepsOverThrottledPhases: Bool { throttles != nil }

    /// The gates before round `round`, with serve's per-agent `agentThrottles` (read, and
    /// cleared where a stepped-over throttle ended).
    mutating func pass(round: Int, agentThrottles: inout AgentThrottles) -> Outcome {
        if let held = memoryGate() { return held }
        var throttledPhases: Set<String> = []
        var throttleWake: UTCInstant?
        if transientErrorAction != .skip, var throttles {
            (throttledPhases, throttleWake) = throttles.throttled(&agentThrottles, at: wallClock.now())
            self.throttles = throttles
        }
        switch schedule.pass(
            round: round, throttledPhases: throttledPhases, throttleWake: throttleWake,
            stopOnThrottle: transientErrorAction == .stop)
        {
        case .launch(let phase): return .launch(phase: phase)
        case .again: return .again
        case .woken(let wake): return .woken(wake)
        case .throttleStop: return .throttleStop
        }
    }

    /// (a) No round starts while memory pressure is critical: `round_deferred`, a poll every 30 s
    /// (waking for a stop), `round_resumed`, then the loop top. Nil lets the round go on.
    private func memoryGate() -> Outcome? {
        guard let memory else { return nil }
        while true {
            switch memory.checkGate() {
            case .proceed:
                return nil
            case .resume:
                return .again
            case .wait(let seconds):
                if let wake = schedule.triggers.sleep(for: .seconds(seconds)) {
                    memory.gateInterrupted()
                    return .woken(wake)
                }
            }
        }
    }

    /// A round of `result.agent` ended: a new transient error moves its stepped-over deadline.
    mutating func record(_ result: RoundResult) {
        guard var throttles, result.transient != nil else { return }
        throttles.detected(agent: result.agent)
        self.throttles = throttles
    }
}
