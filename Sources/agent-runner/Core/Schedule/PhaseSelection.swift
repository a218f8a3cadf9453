/// Which phase round N runs under `phase_policy` and the per-phase schedules, or that none can run now.
public enum PhaseSelection: Sendable, Equatable {
    /// Run `phase`; `skipped` are the phases stepped over before it, and `activeWindow` the
    /// closed window of this round's own phase (nil when it was stepped over for a throttle, or
    /// when nothing was skipped).
    case run(phase: String?, skipped: [String], activeWindow: String?)
    /// Nothing is runnable: every candidate phase is closed or throttled.
    case pause(SchedulePause)
}
