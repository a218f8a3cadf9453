import FleetCore

/// serve's provider throttles, one ``ThrottleTracker`` per agent, so the back-off of one agent
/// (the `review` phase's gemini) never holds the rounds of another (the `build` phase's claude).
///
/// A pure value: seeded from the event log at boot (each agent's newest transient event and its
/// detections since its last successful round, as ``ThrottleState`` derives them), then kept
/// current from each round. Agents are named as events name them (``AgentIdentity/name``).
/// The answers are the ones peek gives (`rate_limit.throttled_agents`): the same ladder, no
/// jitter.
public struct AgentThrottles: Sendable, Equatable {
    public private(set) var trackers: [String: ThrottleTracker]

    /// What the gate before a round of one agent decides.
    public enum Gate: Sendable, Equatable {
        /// No unrecovered throttle: run the round.
        case proceed
        /// Wait out `error` as `plan` says, then emit `transient_error_recovered` and call
        /// ``AgentThrottles/recovered(agent:)``.
        case backOff(TransientError, BackoffPlan)
    }

    public init(trackers: [String: ThrottleTracker] = [:]) {
        self.trackers = trackers
    }

    /// Every agent named by a transient event, seeded from `events` (newest first).
    public init(newestFirst events: [Event]) {
        var agents: [String] = []
        for event in events where event.kind != "agent_usage_recorded" {
            if let agent = event.payload["agent"]?.stringValue, !agents.contains(agent) { agents.append(agent) }
        }
        var trackers: [String: ThrottleTracker] = [:]
        for agent in agents {
            let seed = ThrottleState.derive(newestFirst: events, agent: agent)
            trackers[agent] = ThrottleTracker(
                active: seed.active?.error, detectionsSinceSuccess: seed.detectionsSinceSuccess)
        }
        self.init(trackers: trackers)
    }

    /// Seeds from the newest events of `logDir` (at most `scanLimit` transient and usage events).
    public init(logDir: String, scanLimit: Int = 2000) {
        let events = (try? EventLogReader(directory: logDir).tail(kinds: ThrottleState.kinds, limit: scanLimit)) ?? []
        self.init(newestFirst: events)
    }

    /// The tracker of `agent` (empty when it was never throttled).
    public subscript(agent: String) -> ThrottleTracker {
        trackers[agent] ?? ThrottleTracker()
    }

    /// Records what a round of `agent` showed: its transient error, or whether it succeeded
    /// (exit 0, not killed, and no error reported in its output: aider and pi exit 0 on errors).
    public mutating func record(agent: String, transient: TransientError?, succeeded: Bool) {
        var tracker = self[agent]
        if let transient {
            tracker.detected(transient)
        } else if succeeded {
            tracker.succeeded()
        } else {
            return
        }
        trackers[agent] = tracker
    }

    /// The back-off of `agent` ended (serve slept it out).
    public mutating func recovered(agent: String) {
        guard var tracker = trackers[agent] else { return }
        tracker.recovered()
        trackers[agent] = tracker
    }

    /// The gate before a round of `agent` at `now`, with `jitterS` from the jitter range.
    public func gate(agent: String, now: Int64, jitterS: Int64) -> Gate {
        let tracker = self[agent]
        guard let error = tracker.active else { return .proceed }
        return .backOff(
            error, BackoffPlanner.plan(for: error, priorDetections: tracker.priorDetections, now: now, jitterS: jitterS)
        )
    }

    /// When the throttle of `agent` ends (ladder applied, before jitter), if it is still ahead.
    public func throttledUntil(agent: String, now: Int64) -> Int64? {
        let tracker = self[agent]
        guard let error = tracker.active else { return nil }
        let reset = BackoffPlanner.plan(for: error, priorDetections: tracker.priorDetections, now: now, jitterS: 0)
            .appliedResetEpoch
        return reset > now ? reset : nil
    }

    /// Every agent still throttled at `now`, sorted (peek's `throttled_agents`).
    public func throttledAgents(now: Int64) -> [String] {
        trackers.keys.filter { throttledUntil(agent: $0, now: now) != nil }.sorted()
    }

    /// The phases whose agent is throttled at `now`, and the earliest of their resets: the
    /// `throttledPhases` / `throttleWake` of ``PhaseSchedules`` under `phase_policy = "skip"`.
    /// - Parameter agentOfPhase: each phase's agent name (``AgentIdentity/name``).
    public func throttledPhases(
        _ agentOfPhase: [String: String], now: Int64
    ) -> (phases: Set<String>, wakeEpoch: Int64?) {
        var phases = Set<String>()
        var wake: Int64?
        for (phase, agent) in agentOfPhase {
            guard let until = throttledUntil(agent: agent, now: now) else { continue }
            phases.insert(phase)
            wake = min(wake ?? until, until)
        }
        return (phases, wake)
    }
}
