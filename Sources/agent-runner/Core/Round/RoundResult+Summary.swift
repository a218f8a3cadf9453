import FleetCore

/// What `agent-runner round` prints when the round is over: one line for a person, or one
/// JSON Lines object with `--json`, so a round by hand never ends in silence.
extension RoundResult {
    /// `ok`, `failed` (non-zero exit or a signal), `timed_out`, `not_started` (a startup check
    /// failed), `spawn_failed`.
    public var outcome: String {
        switch kind {
        case .batteryFailed: return "not_started"
        case .spawnFailed: return "spawn_failed"
        case .ran(let exit) where exit.timedOut: return "timed_out"
        case .ran(let exit): return exit.ok ? "ok" : "failed"
        }
    }

    /// `round 3 (phase build, claude): ok, exit 0 after 12.4 s; log /…/R3-….log`, or why the
    /// agent did not run.
    public var summary: String {
        let head = "round \(round) (" + (phase.map { "phase \($0), " } ?? "") + agent + ")"
        switch kind {
        case .batteryFailed(let failures):
            return "\(head): not started, "
                + "\(HumanText.count(failures.count, "startup check")) failed "
                + "(\(failures.map(\.check).joined(separator: ", ")))"
        case .spawnFailed(let message):
            return "\(head): the agent could not be started: \(message)"
        case .ran(let exit):
            let duration = HumanText.duration(seconds: exit.durationS)
            let how: String
            if exit.timedOut {
                how = "stopped at the round timeout after \(duration)"
            } else if exit.memTerminated {
                how = "stopped by the memory floor after \(duration)"
            } else {
                how = "\(exit.ok ? "ok" : "failed"), exit \(exit.exitCode) (\(exit.exitCause)) after \(duration)"
            }
            let throttled = transient.map { "; throttled (\($0.classification.rawValue))" } ?? ""
            return "\(head): \(how)\(throttled); log \(logPath)"
        }
    }

    /// `{round, phase, agent, outcome, exit_code, exit_cause, duration_s, log, failed_checks}`.
    public var json: JSONObject {
        var object = JSONObject([
            ("round", .int(Int64(round))), ("phase", phase.map(JSONValue.string) ?? .null),
            ("agent", .string(agent)), ("outcome", .string(outcome)),
        ])
        switch kind {
        case .ran(let exit):
            object["exit_code"] = .int(Int64(exit.exitCode))
            object["exit_cause"] = .string(exit.exitCause)
            object["duration_s"] = .double((exit.durationS * 1000).rounded() / 1000)
            object["log"] = .string(logPath)
        case .batteryFailed(let failures):
            object["failed_checks"] = .array(failures.map { .string($0.check) })
        case .spawnFailed(let message):
            object["error"] = .string(message)
        }
        return object
    }
}
