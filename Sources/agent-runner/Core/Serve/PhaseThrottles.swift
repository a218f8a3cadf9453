import FleetCore

/// Provider throttles per phase for `phase_policy = "skip"` (detectors.md §8.4): instead of
/// sleeping at the throttle gate, serve steps over every phase whose agent is throttled and runs
/// a phase whose agent is not; only when every phase is throttled or closed does it pause, until
/// the first reset or window opening.
///
/// The throttles themselves are serve's ``AgentThrottles`` (one per agent, seeded from the event
/// log, kept current from the rounds); this adds what stepping over needs: each throttle's end
/// is fixed the first time the gate sees it (the provider's reset, escalated for repeated
/// estimated throttles, plus jitter drawn once), so the wait does not move while serve runs
/// other phases, and a throttle that ended is reported with `transient_error_recovered` before
/// the round that follows.
struct PhaseThrottles {
    /// Each phase's agent, as events and ``AgentThrottles`` name it.
    let agentOfPhase: [String: String]
    let jitterMaxS: Int64
    let random: any RandomSource
    let events: EventSink
    /// When each throttle ends (Unix seconds), and when the gate first saw it.
    private var deadlines: [String: (endEpoch: Int64, seenEpoch: Int64)] = [:]

    init(config: AgentRunnerConfig, random: any RandomSource, events: EventSink) {
        agentOfPhase = config.agentNamesByPhase
        jitterMaxS = Int64(config.runtime.backoffJitterS)
        self.random = random
        self.events = events
    }

    /// A new transient error of `agent` moves its end: it is planned again when next seen.
    mutating func detected(agent: String) {
        deadlines[agent] = nil
    }

    /// The phases to step over at `now` and when the first of their throttles ends. A throttle
    /// that has ended is cleared (in `throttles` too) with `transient_error_recovered`.
    mutating func throttled(
        _ throttles: inout AgentThrottles, at now: UTCInstant
    ) -> (phases: Set<String>, wake: UTCInstant?) {
        var throttledAgents: Set<String> = []
        var wake: Int64?
        for agent in Set(agentOfPhase.values).sorted() {
            let tracker = throttles[agent]
            guard let error = tracker.active else { continue }
            let deadline = deadlines[agent] ?? plan(agent: agent, error: error, tracker: tracker, now: now.seconds)
            deadlines[agent] = deadline
            if now.seconds >= deadline.endEpoch {
                events.emit(
                    TransientErrorRecovered(
                        classification: error.classification, agent: agent,
                        throttledForS: max(0, now.seconds - deadline.seenEpoch)))
                throttles.recovered(agent: agent)
                deadlines[agent] = nil
                continue
            }
            throttledAgents.insert(agent)
            wake = min(wake ?? deadline.endEpoch, deadline.endEpoch)
        }
        let phases = Set(agentOfPhase.filter { throttledAgents.contains($0.value) }.keys)
        return (phases, wake.map { UTCInstant(seconds: $0) })
    }

    private func plan(
        agent: String, error: TransientError, tracker: ThrottleTracker, now: Int64
    )
        -> (endEpoch: Int64, seenEpoch: Int64)
    {
        let jitter = random.int(in: min(BackoffPlanner.jitterRangeS.lowerBound, jitterMaxS)...jitterMaxS)
        let plan = BackoffPlanner.plan(for: error, priorDetections: tracker.priorDetections, now: now, jitterS: jitter)
        if let capped = plan.capped {
            events.emit(
                TransientErrorBackoffCapped(
                    classification: error.classification, agent: agent, capped: capped,
                    appliedResetEpoch: plan.appliedResetEpoch))
        }
        return (now + plan.sleepS, now)
    }
}
