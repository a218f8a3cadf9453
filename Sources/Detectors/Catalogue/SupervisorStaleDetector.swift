import FleetCore

/// `supervisor_stale` (warning): the host's log has been silent for longer than any healthy
/// supervisor stays silent (a round plus slack), so serve is likely dead, wedged or stopped
/// without anyone noticing.
///
/// Threshold T: the inventory's `supervisor_stale_threshold_s` if set, else the host's, else
/// `int(round_timeout_s × 1.5)`; 0 disables the detector. The newest timestamp of every event
/// except the monitor's own (`monitor_*`, `detector_error`) is compared with ``HostObservation/now``
/// (timestamps are compared as instants; the original compared strings). It fires when the age
/// exceeds T, **unless** the newest of `schedule_paused`, `round_deferred`, `schedule_resumed`,
/// `round_resumed` is a pause and `now ≤ bound + T`, where bound is the pause's timezone-aware
/// `resume_at`, else its timestamp + 8 days; a `resume_at` further than 8 days out is cut to 8
/// days, so a bogus date cannot silence the detector forever. No events → no alert. Message
/// `"No events for 3000s (threshold 2700s) — supervisor may be stuck or dead. Last event: <ts>."`,
/// context `{age_s, threshold_s, last_ts}`, key `supervisor_stale` (one condition per host however the
/// age grows).
public struct SupervisorStaleDetector: Detector {
    public let name = "supervisor_stale"
    /// How long an open-ended pause suppresses the alert.
    public static let pauseHorizonS: Int64 = 8 * 86_400
    public init() {}

    /// The threshold in force, or nil when the detector is off.
    public static func threshold(policy: DetectorPolicy, config: HostConfigFacts) -> Int? {
        if let configured = policy.supervisorStaleThresholdS ?? config.supervisorStaleThresholdS {
            return configured > 0 ? configured : nil
        }
        let derived = Int(Double(config.roundTimeoutS ?? HostConfigFacts.defaultRoundTimeoutS) * 1.5)
        return derived > 0 ? derived : nil
    }

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        guard let threshold = Self.threshold(policy: settings.policy, config: observation.config) else { return [] }
        let events = observation.events
        guard let last = Self.newestActivity(observation) else { return [] }
        let newestScheduleEvent = observation.eventIndex.kinds.lastIndex {
            switch $0 {
            case .schedulePaused, .roundDeferred, .scheduleResumed, .roundResumed: true
            default: false
            }
        }.map { events[$0] }
        let age = observation.seconds(since: last.instant)
        guard age > Double(threshold) else { return [] }
        if let pause = newestScheduleEvent, pause.kind == "schedule_paused" || pause.kind == "round_deferred",
            let paused = EventTimestamp.parse(pause.ts)
        {
            let horizon = paused.adding(seconds: Self.pauseHorizonS)
            var bound = horizon
            if let resume = HostValue.string(pause.payload["resume_at"]), Self.hasZone(resume),
                let resumeAt = EventTimestamp.parse(resume)
            {
                bound = min(resumeAt, horizon)
            }
            if observation.now <= bound.adding(seconds: Int64(threshold)) { return [] }
        }
        let lastTs = HostText.clip(events[last.position].ts)
        let ageS = Int64(min(age, 1e15).rounded(.towardZero))
        return [
            Alert(
                detector: name, severity: .warning,
                message:
                    "No events for \(ageS)s (threshold \(threshold)s) — supervisor may be stuck or dead. Last event: \(lastTs).",
                context: ["age_s": .int(ageS), "threshold_s": .int(Int64(threshold)), "last_ts": .string(lastTs)]
            )
        ]
    }

    /// The newest valid timestamp of the supervisor's events (not the monitor's own), and the
    /// position of the first event carrying it. Every timestamp is parsed (the canonical
    /// layout takes a fast path in ``EventTimestamp/parse(_:)``): comparing strings would
    /// misorder mixed layouts, which was the original's bug.
    static func newestActivity(_ observation: HostObservation) -> (instant: UTCInstant, position: Int)? {
        let events = observation.events
        let kinds = observation.eventIndex.kinds
        var best: (instant: UTCInstant, position: Int)?
        for position in events.indices where kinds[position] != .monitorOwn {
            if let instant = EventTimestamp.parse(events[position].ts), best.map({ instant > $0.instant }) ?? true {
                best = (instant, position)
            }
        }
        return best
    }

    /// Whether an ISO time names its zone (`Z` or `±HH:MM`); a naive time is ambiguous.
    private static func hasZone(_ text: String) -> Bool {
        guard let tPosition = text.firstIndex(of: "T") else { return false }
        let time = text[tPosition...]
        return time.hasSuffix("Z") || time.contains("+") || time.contains("-")
    }
}
