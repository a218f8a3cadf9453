import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Force-stops a supervisor this process did not spawn: serve, the agent's whole process group,
/// and whatever escaped that group (a `setsid`'d helper, a daemon the agent started), on the
/// ladder SIGTERM → grace → SIGKILL → a last wait of ``killWait``.
///
/// Targets are found from the pid files (serve.pid, agent.pid, each checked by start time so a
/// recycled pid is never hit) and by walking parent links in /proc before anything is signalled:
/// once a parent dies its children are re-parented and can no longer be traced. Every signal is
/// sent only after re-checking that the pid still has the start time seen in the snapshot.
/// Waits are calls on the injected clock, checked every ``tick``.
public struct KillLadder: Sendable {
    public struct Outcome: Sendable, Equatable {
        /// Every process signalled (serve, agent group, escaped descendants).
        public var targets: [ProcessTree.Entry]
        /// Those that needed SIGKILL.
        public var killed: [ProcessTree.Entry]
        /// Those still alive after SIGKILL (should be empty: a process in uninterruptible sleep).
        public var survivors: [ProcessTree.Entry]
        /// Those this process may not signal (EPERM: another user's, and this process is not
        /// root). When serve is one of them, it comes first, nothing at all was signalled and
        /// `survivors` is empty.
        public var refused: [ProcessTree.Entry]

        static let nothing = Outcome(targets: [], killed: [], survivors: [], refused: [])
    }

    /// How long SIGKILLed processes get to disappear before they count as survivors.
    public static let killWait: Duration = .seconds(2)
    /// How often the waits look at the process table.
    public static let tick: Duration = .milliseconds(50)

    public let servePidFile: PidFile
    public let agentPidFile: PidFile
    public let grace: Duration
    let clock: any MonotonicClock
    let processes: any ProcessTable

    public init(
        servePidFile: PidFile, agentPidFile: PidFile, grace: Duration = .seconds(5), clock: any MonotonicClock,
        processes: any ProcessTable
    ) {
        self.servePidFile = servePidFile
        self.agentPidFile = agentPidFile
        self.grace = grace
        self.clock = clock
        self.processes = processes
    }

    public func run() -> Outcome {
        let serve = processes.running(servePidFile)
        let agent = processes.running(agentPidFile)
        let first = collect(serve: serve, agentGroup: agent?.pid, known: [])
        guard !first.isEmpty else { return .nothing }
        // Another user's serve (an ssh login that is not the service's user): killing only what
        // is ours would fail the round and let serve start the next one, and the ladder would
        // end 7 s later reporting that serve "survived SIGKILL". Send nothing; say whose it is.
        let refused = first.filter { !maySignal($0) }
        if let serve, refused.contains(where: { $0.pid == serve.pid }) {
            let serveFirst = refused.filter { $0.pid == serve.pid } + refused.filter { $0.pid != serve.pid }
            return Outcome(targets: first, killed: [], survivors: [], refused: serveFirst)
        }
        // serve first, so its stop flag is set before the round's agent dies: it then exits 0
        // after the round instead of starting the next one.
        if let serve { signal(serve, SIGTERM) }
        if let agent { processes.send(SIGTERM, to: -agent.pid) }
        for target in first where target.pid != serve?.pid { signal(target, SIGTERM) }
        wait(grace) { alive(first).isEmpty }
        // Children started while they handled SIGTERM are caught on the second pass.
        let second = collect(serve: serve, agentGroup: agent?.pid, known: first)
        let remaining = alive(second)
        if let agent, !remaining.isEmpty { processes.send(SIGKILL, to: -agent.pid) }
        for target in remaining { signal(target, SIGKILL) }
        wait(Self.killWait) { alive(remaining).isEmpty }
        let targets =
            first
            + second.filter { entry in
                !first.contains { $0.pid == entry.pid && $0.startTime == entry.startTime }
            }
        let survivors = alive(remaining)
        return Outcome(
            targets: targets, killed: remaining, survivors: survivors,
            refused: survivors.filter { !maySignal($0) })
    }

    /// Whether a signal to `entry` would be permitted (signal 0 checks without sending one).
    func maySignal(_ entry: ProcessTree.Entry) -> Bool {
        processes.send(0, to: entry.pid) != EPERM
    }

    /// serve, the members of the agent's group, and every live descendant of any of them
    /// (plus previously found ones that are still the same process), never this process.
    private func collect(
        serve: ProcessTree.Entry?, agentGroup: pid_t?, known: [ProcessTree.Entry]
    )
        -> [ProcessTree.Entry]
    {
        let snapshot = processes.snapshot().filter { !$0.isZombie && $0.pid != getpid() }
        let byPID = Dictionary(snapshot.map { ($0.pid, $0) }, uniquingKeysWith: { first, _ in first })
        var found: [pid_t: ProcessTree.Entry] = [:]
        for entry in known + [serve].compactMap({ $0 }) where byPID[entry.pid]?.startTime == entry.startTime {
            found[entry.pid] = entry
        }
        if let agentGroup {
            for entry in snapshot where entry.processGroup == agentGroup { found[entry.pid] = entry }
        }
        var pending = Array(found.values)
        var children: [pid_t: [ProcessTree.Entry]] = [:]
        for entry in snapshot { children[entry.parent, default: []].append(entry) }
        while let next = pending.popLast() {
            for child in children[next.pid] ?? [] where found[child.pid] == nil {
                found[child.pid] = child
                pending.append(child)
            }
        }
        return found.values.sorted { $0.pid < $1.pid }
    }

    private func signal(_ entry: ProcessTree.Entry, _ signal: Int32) {
        guard processes.entry(for: entry.pid)?.startTime == entry.startTime else { return }
        processes.send(signal, to: entry.pid)
    }

    private func alive(_ entries: [ProcessTree.Entry]) -> [ProcessTree.Entry] {
        entries.filter { entry in
            guard let now = processes.entry(for: entry.pid) else { return false }
            return now.startTime == entry.startTime && !now.isZombie
        }
    }

    /// Waits up to `limit` for `done`, looking every ``tick``.
    private func wait(_ limit: Duration, until done: () -> Bool) {
        clock.sleep(until: clock.now + limit, tick: Self.tick, interrupted: done)
    }
}
