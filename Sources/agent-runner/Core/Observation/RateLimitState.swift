import FleetCore

/// The provider throttle as peek reports it in `service.rate_limit` (peek-schema.md §1.1):
/// derived from the event tail with the same back-off ladder serve applies, so "throttled until"
/// is when serve will really try again (before jitter).
public struct RateLimitState: Sendable, Equatable {
    /// The effective reset, Unix seconds, after the ladder's escalation.
    public var throttledUntilEpoch: Int64
    public var limitType: String
    public var agent: String
    public var sinceRound: Int?
    /// `""` without phases.
    public var phase: String
    /// Every agent currently throttled, sorted.
    public var throttledAgents: [String]

    public init(
        throttledUntilEpoch: Int64, limitType: String, agent: String, sinceRound: Int?, phase: String,
        throttledAgents: [String]
    ) {
        self.throttledUntilEpoch = throttledUntilEpoch
        self.limitType = limitType
        self.agent = agent
        self.sinceRound = sinceRound
        self.phase = phase
        self.throttledAgents = throttledAgents
    }

    public var json: JSONValue {
        .object(
            JSONObject([
                ("throttled_until_epoch", .int(throttledUntilEpoch)), ("limit_type", .string(limitType)),
                ("agent", .string(agent)),
                ("since_round", sinceRound.map { .int(Int64($0)) } ?? .null), ("phase", .string(phase)),
                ("throttled_agents", .array(throttledAgents.map { .string($0) })),
            ]))
    }

    /// The throttle in force at `now` from `perAgent` states (each agent's ``ThrottleState``,
    /// nil when recovered): the agent whose detection is the newest among those still
    /// throttled; nil when none is.
    public static func current(
        _ perAgent: [(agent: String, state: ThrottleState, detectedTs: String)], now: Int64
    ) -> RateLimitState? {
        var active: [(agent: String, state: ThrottleState, ts: String, until: Int64)] = []
        for entry in perAgent {
            let plan = BackoffPlanner.plan(
                for: entry.state.error, priorDetections: entry.state.priorDetections, now: now, jitterS: 0)
            if plan.appliedResetEpoch > now {
                active.append((entry.agent, entry.state, entry.detectedTs, plan.appliedResetEpoch))
            }
        }
        guard let newest = active.max(by: { $0.ts < $1.ts }) else { return nil }
        return RateLimitState(
            throttledUntilEpoch: newest.until, limitType: newest.state.error.classification.rawValue,
            agent: newest.agent,
            sinceRound: newest.state.roundNum, phase: newest.state.phase, throttledAgents: active.map(\.agent).sorted())
    }
}
