import FleetCore

/// `rate_limit_active` (warning): the provider throttles an agent and the host is waiting it out.
/// Expected now and then, but a fleet-wide wave of these means the account quota is the bottleneck.
///
/// Each agent is judged on its **own** newest transient event (``ThrottleLadder``): it fires while
/// that event is a detection whose ladder-extended reset is still in the future. The original
/// looked only at the newest transient event of any agent, so a recovery of agent B hid a live
/// throttle of agent A; that is fixed here. Agents with no transient event in the tail fall back
/// to the host's own report (peek's `service.rate_limit`). One alert per throttled agent: message
/// `"throttled until 2026-11-25T15:42:02+00:00 (rate_limit_account)"`, context
/// `{throttled_until_iso, classification, agent}`, key `rate_limit_active:agent=claude`: one
/// condition per agent, so a reset time the ladder extends updates the alert instead of re-firing it.
public struct RateLimitActiveDetector: Detector {
    public let name = "rate_limit_active"
    public init() {}

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        let nowEpoch = observation.nowEpoch
        let byAgent = ThrottleLadder.latestByAgent(observation, nowEpoch: nowEpoch)
        var active: [ThrottleLadder.Throttle] = byAgent.values.compactMap { state in
            guard case .detected(let throttle) = state, Double(throttle.effectiveResetEpoch) > nowEpoch else {
                return nil
            }
            return throttle
        }
        if let reported = observation.reportedThrottle, byAgent[reported.agent] == nil,
            Double(reported.untilEpoch) > nowEpoch,
            Double(reported.untilEpoch) <= nowEpoch + Double(ThrottleLadder.maxAheadS)
        {
            active.append(
                .init(
                    agent: reported.agent, classification: reported.classification,
                    effectiveResetEpoch: reported.untilEpoch))
        }
        return active.sorted { $0.agent < $1.agent }.map { throttle in
            let iso = PythonFormat.isoUTC(epochSeconds: throttle.effectiveResetEpoch)
            return Alert(
                detector: name, severity: .warning,
                message: "throttled until \(iso) (\(throttle.classification))",
                context: [
                    "throttled_until_iso": .string(iso), "classification": .string(throttle.classification),
                    "agent": .string(throttle.agent),
                ],
                key: "rate_limit_active:agent=\(throttle.agent)"
            )
        }
    }
}
