/// What serve does before round N, after the memory gate: steps 6(b)-(d) of the serve loop
/// (commands.md §2.13).
public enum RoundGate: Sendable, Equatable {
    /// Start the round. `phase` is passed to the round child as `--phase` (nil: no flag, the
    /// child picks its own phase). With `skipped`, emit `schedule_phase_skipped` first.
    case launch(phase: String?, skipped: PhaseSkip?)
    /// Emit `schedule_paused`, wait for the pause to end (or a stop), emit `schedule_resumed`,
    /// then start again from the loop top (sentinel, throttle, stop file, max rounds).
    case pause(SchedulePause)
}
