import Glibc

/// Sleep schedule for polling loops (has the child exited? is the group empty yet?).
/// Starts at 1 ms so short-lived children are noticed almost at once, doubles up to 20 ms
/// so a long wait costs little CPU on a small host, and never sleeps past the deadline.
struct Backoff {
    private var step: Duration = .milliseconds(1)
    private let cap: Duration = .milliseconds(20)

    /// Sleeps for the next step, cut short at `deadline`; returns at once if it has passed.
    mutating func pause(until deadline: ContinuousClock.Instant) {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return }
        let (seconds, attoseconds) = min(step, remaining).components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        _ = nanosleep(&request, nil)  // EINTR just ends this step early; callers loop.
        step = min(step * 2, cap)
    }
}
