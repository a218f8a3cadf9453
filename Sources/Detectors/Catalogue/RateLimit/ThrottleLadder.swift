import FleetCore

/// The restart-safe throttle state the supervisor derives from its events (detectors.md §8.3),
/// recomputed here so fleetctl judges a throttle exactly as the host's back-off does.
///
/// Per agent, the newest transient event decides: a `transient_error_detected` is an active
/// candidate, a `transient_error_recovered` clears it. Repeated estimated throttles escalate:
/// with n = (detections since the agent's last successful `agent_usage_recorded`) − 1, the
/// reset of an estimated class is extended by `min(base × (2^min(n, 5) − 1), 1800)` seconds.
enum ThrottleLadder {
    /// Base back-off of the estimated classes (as the supervisor's `TransientError`); others
    /// (`rate_limit_account`, plugin classes) use the server's reset verbatim.
    static let baseBackoffS: [String: Int64] = [
        "rate_limit_model": 60, "api_transient_5xx": 60, "api_timeout": 30, "network_error": 30,
    ]
    static let exponentCap = 5
    static let escalationCapS: Int64 = 1800
    /// A reset further ahead than this is junk and reads as 0 (no throttle).
    static let maxAheadS: Int64 = 366 * 86_400

    /// One agent's newest unrecovered detection, with its ladder-extended reset.
    struct Throttle: Equatable {
        var agent: String
        var classification: String
        var effectiveResetEpoch: Int64
    }

    /// The agent name an event carries (`unknown` when it has none).
    static func agent(of event: Event) -> String {
        HostText.clip(HostValue.string(event.payload["agent"]) ?? "unknown")
    }

    /// An agent's state after the whole tail.
    enum AgentState: Equatable {
        /// The newest transient event is a detection.
        case detected(Throttle)
        /// The newest transient event is a recovery.
        case recovered
    }

    /// The state of every agent that has a transient event in the tail.
    static func latestByAgent(_ observation: HostObservation, nowEpoch: Double) -> [String: AgentState] {
        let index = observation.eventIndex
        // Most hosts have no transient event: no agent has a state.
        guard index.containsAny(.transientErrorDetected, .transientErrorRecovered) else { return [:] }
        let events = observation.events
        var newestDetection: [String: Event] = [:]
        var recovered = Set<String>()
        var detectionsSinceSuccess: [String: Int] = [:]
        for position in index.kinds.indices {
            switch index.kinds[position] {
            case .transientErrorDetected:
                let event = events[position]
                let agent = agent(of: event)
                newestDetection[agent] = event
                recovered.remove(agent)
                detectionsSinceSuccess[agent, default: 0] += 1
            case .transientErrorRecovered:
                recovered.insert(agent(of: events[position]))
            case .agentUsageRecorded where HostValue.bool(events[position].payload["success"]) == true:
                detectionsSinceSuccess[agent(of: events[position])] = 0
            default:
                continue
            }
        }
        var states: [String: AgentState] = [:]
        for agent in recovered { states[agent] = .recovered }
        for (agent, detection) in newestDetection where !recovered.contains(agent) {
            let classification = HostText.clip(HostValue.string(detection.payload["classification"]) ?? "unknown")
            let escalation = max((detectionsSinceSuccess[agent] ?? 0) - 1, 0)
            let reset = effectiveReset(
                raw: detection.payload["reset_at_epoch"], classification: classification, escalation: escalation,
                nowEpoch: nowEpoch
            )
            states[agent] = .detected(
                Throttle(agent: agent, classification: classification, effectiveResetEpoch: reset))
        }
        return states
    }

    /// The raw reset, coerced (not a number, negative, or more than ``maxAheadS`` ahead → 0),
    /// then extended for estimated classes.
    static func effectiveReset(raw: JSONValue?, classification: String, escalation: Int, nowEpoch: Double) -> Int64 {
        var reset: Int64 = 0
        if let value = raw?.doubleValue, value.isFinite, value >= 0, value <= nowEpoch + Double(maxAheadS), value < 1e13
        {
            reset = Int64(value)
        }
        if let base = baseBackoffS[classification], escalation > 0 {
            let multiplier = (Int64(1) << Int64(min(escalation, exponentCap))) - 1
            reset += min(base * multiplier, escalationCapS)
        }
        return reset
    }
}
