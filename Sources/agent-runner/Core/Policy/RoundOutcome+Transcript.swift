extension RoundOutcome {
    /// How a round counts for the restart policy, from its exit and what its output showed:
    /// the one decision serve needs after every round, for every preset alike.
    ///
    /// - A transient failure (rate limit, server error, network, timeout) is `throttled`: it
    ///   rides the back-off and never counts towards crash_loop, whatever the exit code.
    /// - An error the output reports (auth, a 400...) is a failure even with exit 0 (aider and
    ///   pi exit 0 on every provider error), so a broken credential still trips crash_loop
    ///   instead of restarting forever.
    /// - A round the supervisor killed (timeout, grace kill) is not a crash.
    public init(exit: AgentExit, analysis: TranscriptAnalysis) {
        self.init(
            exitCode: exit.exitCode, durationS: exit.durationS, killedBySupervisor: exit.timedOut || exit.graceKilled,
            throttled: analysis.transient != nil)
        reportedFailure = analysis.reportedError
    }
}
