import Dispatch
import Glibc
import Synchronization

/// Reaps one child exactly once and keeps its exit status.
///
/// Defends against two incidents: zombies piling up on a long-running supervisor, and
/// signalling a recycled pid (once a child is reaped, the kernel may hand its pid to an
/// unrelated process; a late SIGKILL would then hit that process). Reaping therefore
/// happens only under `state`'s lock, blocking waits use `waitid(WNOWAIT)` (which waits
/// without reaping), and `withUnreapedPID` runs signal delivery under the same lock.
final class ChildReaper: Sendable {
    private struct Reaped {
        var status: ExitStatus
        var at: ContinuousClock.Instant
    }

    let pid: pid_t
    private let state = Mutex<Reaped?>(nil)

    init(pid: pid_t) {
        self.pid = pid
    }

    /// Reaps the child if it has exited (never blocks). Returns its status once reaped.
    func poll() -> ExitStatus? {
        state.withLock { reaped in
            if let reaped { return reaped.status }
            var raw: Int32 = 0
            let rc = waitpid(pid, &raw, WNOHANG)
            if rc == pid {
                reaped = Reaped(status: ExitStatus(waitStatus: raw), at: .now)
            } else if rc < 0 && errno == ECHILD {
                reaped = Reaped(status: .statusLost, at: .now)
            }
            return reaped?.status
        }
    }

    /// Blocks until the child has exited, reaps it, and returns its status.
    func wait() -> ExitStatus {
        var backoff = Backoff()
        while true {
            if let status = poll() { return status }
            var info = siginfo_t()
            // Wait without reaping; `poll` reaps under the lock.
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno != EINTR && errno != ECHILD {
                backoff.pause(until: .now + .milliseconds(20))  // Unexpected failure: do not spin.
            }
        }
    }

    /// Whether the child has exited (it may still be an unreaped zombie). Never blocks.
    func hasExited() -> Bool {
        state.withLock { reaped in
            if reaped != nil { return true }
            var info = siginfo_t()
            let rc = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
            return rc != 0 ? errno == ECHILD : info._sifields._sigchld.si_pid == pid
        }
    }

    /// Waits until the child has exited (without reaping it) or `deadline` passes.
    /// Returns whether it exited.
    ///
    /// A waiter thread blocks in `waitid(WNOWAIT)` and wakes this one the moment the child
    /// exits, so a 10 ms ssh poll is noticed at 10 ms, not at the next step of a polling
    /// schedule. (If the deadline passes first, the caller terminates the child, which ends
    /// the waiter too.) Falls back to polling if no thread can be started.
    func waitForExit(until deadline: ContinuousClock.Instant) -> Bool {
        if hasExited() { return true }
        let exited = DispatchSemaphore(value: 0)
        let pid = self.pid
        let started = try? IOThread.start(detached: true) {
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
            exited.signal()
        }
        if started != nil {
            let remaining = deadline - ContinuousClock.now
            let nanoseconds = max(
                0, remaining.components.seconds * 1_000_000_000 + remaining.components.attoseconds / 1_000_000_000)
            _ = exited.wait(timeout: .now() + .nanoseconds(Int(min(nanoseconds, Int64(Int.max)))))
            return hasExited()
        }
        var backoff = Backoff()
        while !hasExited() {
            guard ContinuousClock.now < deadline else { return false }
            backoff.pause(until: deadline)
        }
        return true
    }

    /// Runs `body` with the pid while the child is not yet reaped, so the pid (and the
    /// process group it leads) cannot have been recycled. Returns nil if already reaped.
    func withUnreapedPID<Result: Sendable>(_ body: (pid_t) -> Result) -> Result? {
        state.withLock { reaped in reaped == nil ? body(pid) : nil }
    }

    var isReaped: Bool { state.withLock { $0 != nil } }

    /// When the child was reaped, for `ProcessOutput.duration`.
    var reapedAt: ContinuousClock.Instant? { state.withLock { $0?.at } }
}
