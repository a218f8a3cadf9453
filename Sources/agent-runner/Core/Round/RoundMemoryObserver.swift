import FleetCore

/// The in-round side of serve's memory defenses as the round sees it: a snapshot before the
/// spawn, a tick the watch calls on its 200 ms loop (the observer samples every 10 s), and the
/// agent's end. `agent-runner round` has none: only serve guards rounds against memory pressure.
protocol RoundMemoryObserver: AnyObject {
    /// Just before the agent is spawned (the cgroup's counters before the round).
    func roundWillSpawn(round: Int)
    /// The agent runs as `pid`.
    func agentStarted(round: Int, pid: Int32)
    /// One turn of the watch loop at `now`; the observer may signal `process` (a nudge) or ask
    /// the watch to end the round.
    func tick(now: ContinuousClock.Instant, process: RunningProcess) -> MemoryOrder
    /// The agent has been reaped (lift the brake before hooks and git run).
    func agentReaped()
}

/// What the memory floor asks of the watch.
enum MemoryOrder: Equatable {
    case carryOn
    /// SIGTERM to the agent's group, `grace`, then SIGKILL: the round is memory-terminated.
    case terminate(grace: Duration)
}
