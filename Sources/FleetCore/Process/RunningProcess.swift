import Glibc
import Synchronization

/// A started child: its pid and process group, and the ways to wait for it, signal it and
/// shut it (and everything it started) down.
///
/// Every child is reaped exactly once: by `poll`/`wait`/`terminate`/`collectOutput`, or,
/// if the handle is dropped while the child still runs, by a background thread that waits
/// for it, so a long-running supervisor never accumulates zombies.
public final class RunningProcess: Sendable {
    public let pid: pid_t
    /// The child's process group: equal to `pid`, since every child gets its own group
    /// (or session). Grandchildren land here too unless they leave it.
    public let processGroup: pid_t
    /// The command as requested, for log lines.
    public let command: String
    /// When the child was spawned (monotonic), e.g. for "restarted after 3 s" decisions.
    public let startedAt: ContinuousClock.Instant
    /// The child's stdout to read while it runs, when the request asked for `.pipe`.
    public let standardOutputPipe: ReadablePipe?

    private let reaper: ChildReaper
    private let io: ProcessIO
    private let drainAfterExit: Duration
    private let timedOut = Atomic<Bool>(false)

    init(
        pid: pid_t, command: String, startedAt: ContinuousClock.Instant, io: ProcessIO, drainAfterExit: Duration,
        standardOutputPipe: ReadablePipe? = nil
    ) {
        self.pid = pid
        self.standardOutputPipe = standardOutputPipe
        self.processGroup = pid
        self.command = command
        self.startedAt = startedAt
        self.reaper = ChildReaper(pid: pid)
        self.io = io
        self.drainAfterExit = drainAfterExit
    }

    deinit {
        guard !(reaper.isReaped && io.isFinished) else { return }
        // Nobody will wait for this child any more: reap it and stop its pipe threads in
        // the background, so it does not stay a zombie and its threads do not linger.
        let (reaper, io, drain) = (self.reaper, self.io, self.drainAfterExit)
        _ = try? IOThread.start(detached: true) {
            _ = reaper.wait()
            _ = io.finish(drain: drain)
        }
    }

    /// The exit status if the child has exited (reaping it), nil while it runs. Never blocks.
    public func poll() -> ExitStatus? {
        reaper.poll()
    }

    /// Blocks until the child exits, reaps it, and finishes its captured output (bounded
    /// by the request's drain period even if a grandchild holds the pipes); the output
    /// stays available through `collectOutput()`.
    public func wait() -> ExitStatus {
        let status = reaper.wait()
        _ = io.finish(drain: drainAfterExit)
        return status
    }

    /// Sends `signal` to the child only. Returns false if it has already been reaped, in
    /// which case nothing is sent: its pid may belong to an unrelated process by now.
    @discardableResult
    public func signal(_ signal: Int32) throws -> Bool {
        guard let result = reaper.withUnreapedPID({ kill($0, signal) == 0 ? 0 : errno }) else { return false }
        return try delivered(result, signal: signal, to: "\"\(command)\" (pid \(pid))")
    }

    /// Sends `signal` to every process in the child's group (the child and whatever it
    /// started that stayed in the group). Works after the child exited too, to reach
    /// leftovers: the kernel does not reuse a group's id while the group has members.
    /// Returns false if the group has no members.
    @discardableResult
    public func signalGroup(_ signal: Int32) throws -> Bool {
        let result = kill(-processGroup, signal) == 0 ? 0 : errno
        return try delivered(result, signal: signal, to: "process group \(processGroup) of \"\(command)\"")
    }

    /// The shutdown ladder: SIGTERM to the whole group and to descendants that escaped it,
    /// wait up to `grace` for all of them to exit, then SIGKILL whatever is left, and reap.
    ///
    /// Escaped descendants (a `setsid`'d helper, a daemon an agent started, a job-control
    /// shell's jobs) are found by walking parent links in /proc before anything is
    /// signalled (once the child dies they are re-parented and untraceable) and again
    /// before SIGKILL; each is re-checked by start time before it is signalled, so a
    /// recycled pid is never hit. The child is kept unreaped until the SIGKILL has been
    /// sent, so its pid and group id cannot be recycled in the meantime.
    /// Returns the child's exit status (`.signalled(SIGKILL)` if it ignored SIGTERM).
    public func terminate(grace: Duration) -> ExitStatus {
        let deadline = ContinuousClock.now + grace
        var escaped = escapedDescendants(alreadyKnown: [])
        signalTree(SIGTERM, escaped: escaped)
        var backoff = Backoff()
        while ContinuousClock.now < deadline && !treeIsGone(escaped: escaped) {
            backoff.pause(until: deadline)
        }
        escaped = escapedDescendants(alreadyKnown: escaped)
        signalTree(SIGKILL, escaped: escaped)
        return wait()
    }

    /// Waits for the child, at most until `deadline` (then runs `terminate(grace:)` and
    /// reports `timedOut`), reaps it, and returns its status with the captured output.
    /// Output capture stops `drainAfterExit` after the exit even if a grandchild keeps
    /// the pipes open (`sh -c 'daemon & echo started'` returns "started" promptly).
    public func collectOutput(deadline: ContinuousClock.Instant? = nil, grace: Duration = .seconds(2)) -> ProcessOutput
    {
        if let deadline, !reaper.waitForExit(until: deadline) {
            timedOut.store(true, ordering: .relaxed)
            _ = terminate(grace: grace)
        }
        let status = reaper.wait()
        let captured = io.finish(drain: drainAfterExit)
        return ProcessOutput(
            exit: status,
            stdout: captured.stdout,
            stderr: captured.stderr,
            stdoutTruncated: captured.stdoutTruncated,
            stderrTruncated: captured.stderrTruncated,
            timedOut: timedOut.load(ordering: .relaxed),
            duration: (reaper.reapedAt ?? .now) - startedAt)
    }

    private func delivered(_ result: Int32, signal: Int32, to target: String) throws -> Bool {
        switch result {
        case 0: return true
        case ESRCH: return false
        default:
            throw ProcessError(
                .signalFailed, "cannot send \(ExitStatus.signalName(signal)) to \(target): \(Errno(code: result).text)")
        }
    }

    /// One rung of the ladder: the group, then escaped descendants still alive as the same
    /// process. The child itself is reached through the group, so it is not signalled
    /// twice (some CLIs treat a second SIGTERM as "abort cleanup now").
    private func signalTree(_ signal: Int32, escaped: [ProcessTree.Entry]) {
        _ = kill(-processGroup, signal)
        for process in escaped where ProcessTree.entry(for: process.pid)?.startTime == process.startTime {
            _ = kill(process.pid, signal)
        }
    }

    /// Live descendants outside `processGroup` (including the child itself if it moved
    /// out of its group), plus previously found ones that are still the same process and
    /// their own descendants.
    private func escapedDescendants(alreadyKnown known: [ProcessTree.Entry]) -> [ProcessTree.Entry] {
        let snapshot = ProcessTree.snapshot()
        let byPID = Dictionary(snapshot.map { ($0.pid, $0) }, uniquingKeysWith: { first, _ in first })
        var roots = known.filter { byPID[$0.pid]?.startTime == $0.startTime }
        // Walk from the child only while it is unreaped, i.e. while its pid is still ours.
        if let child = reaper.withUnreapedPID({ byPID[$0] }) ?? nil {
            roots.append(child)
        }
        var found: [pid_t: ProcessTree.Entry] = [:]
        for root in roots {
            found[root.pid] = byPID[root.pid]
            for descendant in ProcessTree.descendants(of: root.pid, in: snapshot) {
                found[descendant.pid] = descendant
            }
        }
        return found.values.filter { $0.processGroup != processGroup && !$0.isZombie }
    }

    /// True once the child has exited and neither the group nor any escaped descendant
    /// has a live process. /proc is only scanned after the cheap exit check succeeds.
    private func treeIsGone(escaped: [ProcessTree.Entry]) -> Bool {
        guard reaper.hasExited() else { return false }
        let live = ProcessTree.snapshot().filter { !$0.isZombie }
        return !live.contains { process in
            process.processGroup == processGroup
                || escaped.contains { $0.pid == process.pid && $0.startTime == process.startTime }
        }
    }
}
