import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Kills an agent left running by a serve that died without reaping it (kill -9, OOM): it
/// would run beside the next round's agent on the same work tree. `agent.pid` names it (with
/// its start time, so a recycled pid is never hit); its whole group and its descendants get
/// SIGTERM, up to 5 s on the clock to exit, then SIGKILL.
struct StaleAgentReaper {
    let pidFile: PidFile
    let clock: any MonotonicClock

    static let grace = Duration.seconds(5)
    static let tick = Duration.milliseconds(100)

    /// Kills the stale agent, if one runs, and removes `agent.pid`; returns what was killed.
    func reap() -> StaleAgentKilled? {
        defer { try? pidFile.remove() }
        guard let pid = try? pidFile.runningPID(), pid > 1 else { return nil }
        let members = Set(ProcessTree.processGroupMembers(pid) + ProcessTree.descendants(of: pid) + [pid])
        for member in members { kill(member, SIGTERM) }
        kill(-pid, SIGTERM)
        clock.sleep(until: clock.now + Self.grace, tick: Self.tick) {
            !members.contains(where: { ProcessTree.isAlive($0) })
        }
        for member in members where ProcessTree.isAlive(member) { kill(member, SIGKILL) }
        kill(-pid, SIGKILL)
        return StaleAgentKilled(pid: pid, processes: members.count)
    }
}
