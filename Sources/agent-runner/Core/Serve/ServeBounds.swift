import FleetCore

/// The endings that need no more waiting: the agent's `.agent-done` sentinel, the operator's
/// stop file, `max_rounds`, `--once` and a signal.
///
/// They are checked before every round and again right after one, so a bounded run
/// (`serve --max-rounds 1`, a sentinel, the stop file) exits with its last round instead of first
/// sleeping out the back-off or restart delay that round left (`serve --max-rounds 1` after a 529
/// used to sleep 128 s before it noticed). A back-off is not lost that way: its
/// `transient_error_detected` is in the event log, and the next serve's throttle gate
/// (``AgentThrottles``, seeded from the log) waits it out before its first round.
struct ServeBounds {
    let maxRounds: Int?
    let once: Bool
    /// `[runtime] stop_file` as configured, for `stop_file_detected`.
    let stopFile: String?
    let triggers: StopTriggers
    let events: EventSink

    /// Before a round, in the original's order: sentinel, stop file, max rounds, signal.
    func beforeRound(completed: Int) -> ServeEnding? {
        if let reason = triggers.sentinelReason() {
            events.emit(AgentSelfTerminated(reason: reason))
            return .selfTerminated
        }
        if triggers.stopFileExists { return stopped(by: .stopFile, completed: completed) }
        if let maxRounds, completed >= maxRounds {
            events.emit(MaxRoundsReached(roundsCompleted: completed, maxRounds: maxRounds))
            return .maxRounds
        }
        return triggers.signalled ? .signal : nil
    }

    /// Right after a round, before any delay: a signal, `--once`, then the checks of
    /// ``beforeRound(completed:)``.
    func afterRound(completed: Int) -> ServeEnding? {
        if triggers.signalled { return .signal }
        if once { return .once }
        return beforeRound(completed: completed)
    }

    /// The ending for what woke a back-off sleep.
    func stopped(by wake: StopTriggers.Wake, completed: Int) -> ServeEnding {
        switch wake {
        case .signal:
            return .signal
        case .stopFile:
            events.emit(
                StopFileDetected(
                    stopFile: stopFile ?? "", content: triggers.stopFileContent(),
                    roundsCompleted: completed))
            return .stopFile
        }
    }
}
