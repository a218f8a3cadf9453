import FleetCore

/// The gate before each round while the provider throttles the agent: waits until the reset
/// the transcript gave (plus jitter, so a fleet does not hammer the provider in step), or stops
/// serve, or ignores it, as `transient_error_action` says. The throttle comes from the event log
/// at boot (so it survives a restart) and from each round after.
struct ThrottleGate {
    let action: AgentRunnerConfig.TransientErrorAction
    let agent: String
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

    func pass(_ throttle: inout ThrottleTracker) -> Outcome {
        guard let error = throttle.active else { return .proceed }
        switch action {
        case .skip:
            return .proceed
        case .stop:
            events.emit(AgentSelfTerminated(reason: "transient_error"))
            return .stopped
        case .backOff:
            let jitter = random.int(in: min(BackoffPlanner.jitterRangeS.lowerBound, jitterMaxS)...jitterMaxS)
            let plan = BackoffPlanner.plan(for: error, priorDetections: throttle.priorDetections,
                                           now: wallClock.now().seconds, jitterS: jitter)
            if let capped = plan.capped {
                events.emit(TransientErrorBackoffCapped(classification: error.classification, agent: agent,
                                                        capped: capped, appliedResetEpoch: plan.appliedResetEpoch))
            }
            let started = clock.now
            if let wake = triggers.sleep(for: .seconds(plan.sleepS)) { return .woken(wake) }
            let throttledFor = (clock.now - started).components.seconds
            events.emit(TransientErrorRecovered(classification: error.classification, agent: agent,
                                                throttledForS: throttledFor))
            throttle.recovered()
            return .proceed
        }
    }
}
