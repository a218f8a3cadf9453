import FleetCore

/// The gate before each round while the provider throttles the round's agent: waits until the
/// reset the transcript gave (plus jitter, so a fleet does not hammer the provider in step), or
/// stops serve, or ignores it, as `transient_error_action` says. Throttles are per agent
/// (``AgentThrottles``): a throttled `review` phase running gemini never holds a `build` round
/// of claude. They come from the event log at boot (so they survive a restart) and from each
/// round after.
struct ThrottleGate {
    let action: AgentRunnerConfig.TransientErrorAction
    /// `[runtime] backoff_jitter_s`: the upper bound of the jitter.
    let jitterMaxS: Int64
    let wallClock: any WallClock
    let clock: any MonotonicClock
    let random: any RandomSource
    let triggers: StopTriggers
    let events: EventSink

    enum Outcome: Sendable, Equatable {
        /// No throttle, or it was waited out (`transient_error_recovered`).
        case proceed
        /// A signal or the stop file ended the wait.
        case woken(StopTriggers.Wake)
        /// `transient_error_action = "stop"`.
        case stopped
    }

    /// The gate before a round of `agent` (``AgentIdentity/name``).
    func pass(_ throttles: inout AgentThrottles, agent: String) -> Outcome {
        guard throttles[agent].active != nil else { return .proceed }
        switch action {
        case .skip:
            return .proceed
        case .stop:
            events.emit(AgentSelfTerminated(reason: "transient_error"))
            return .stopped
        case .backOff:
            let jitter = random.int(in: min(BackoffPlanner.jitterRangeS.lowerBound, jitterMaxS)...jitterMaxS)
            guard
                case .backOff(let error, let plan) =
                    throttles.gate(agent: agent, now: wallClock.now().seconds, jitterS: jitter)
            else { return .proceed }
            if let capped = plan.capped {
                events.emit(
                    TransientErrorBackoffCapped(
                        classification: error.classification, agent: agent,
                        capped: capped, appliedResetEpoch: plan.appliedResetEpoch))
            }
            let started = clock.now
            if let wake = triggers.sleep(for: .seconds(plan.sleepS)) { return .woken(wake) }
            let throttledFor = (clock.now - started).components.seconds
            events.emit(
                TransientErrorRecovered(
                    classification: error.classification, agent: agent,
                    throttledForS: throttledFor))
            throttles.recovered(agent: agent)
            return .proceed
        }
    }

    /// The phases whose agent is throttled now and the earliest of their resets: what the
    /// schedule gate steps over under `phase_policy = "skip"`
    /// (``PhaseSchedules/gate(round:at:ignoreSchedule:throttledPhases:throttleWake:)``), so a round
    /// runs the next phase whose agent may run instead of waiting here.
    func throttledPhases(
        _ throttles: AgentThrottles, agentOfPhase: [String: String]
    ) -> (phases: Set<String>, wake: UTCInstant?) {
        let now = wallClock.now().seconds
        let throttled = throttles.throttledPhases(agentOfPhase, now: now)
        return (throttled.phases, throttled.wakeEpoch.map { UTCInstant(seconds: $0) })
    }
}
