/// The colour an event kind gets on a page (a host's progress page, the fleet dashboard's
/// events): failures red, throttles and pressure amber, recoveries green, the run's own
/// milestones blue, everything else (round_start, round_end, spawns, substrate) neutral. One
/// table, so `transient_error_recovered` is green on both pages.
///
/// Decided from words in the kind, not from a list of every kind: logs written by the original
/// or by newer versions hold kinds this build does not know, and `*_failed` is red whatever it
/// is. The rules are data so a page's script (agent-runner's `ProgressPageScript`) colours a
/// live update with the very same table.
public enum EventKindFamily {
    /// Checked in order, first match wins: `transient_error_recovered` is a recovery before it
    /// is an error, `agent_self_terminated` a milestone before it is a termination.
    public static let rules: [(state: StateClass, words: [String])] = [
        (.ok, ["recovered", "resumed", "released", "upgraded", "passed", "auto_committed"]),
        (
            .warn,
            [
                "rate_limit", "throttle", "transient", "backoff", "deferred", "paused", "blip", "warning", "pressure",
                "anomaly", "alert", "critical", "capped", "skipped", "grace_extended", "engaged",
            ]
        ),
        (
            .info,
            [
                "serve_started", "serve_stopped", "monitor_started", "max_rounds", "stop_file", "self_terminated",
                "rollout_started", "fresh_eyes",
            ]
        ),
        (.bad, ["fail", "error", "crash", "broken", "kill", "oom", "mem_loop", "terminated", "giveup", "rolled_back"]),
    ]

    /// The state of `kind`, or nil for a neutral kind.
    public static func state(of kind: String) -> StateClass? {
        rules.first { rule in rule.words.contains { kind.contains($0) } }?.state
    }
}
