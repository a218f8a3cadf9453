import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The clock loops measure time and wait on: monotonic, so a wall-clock step (NTP after boot
/// on a Raspberry Pi without a battery-backed clock, `fake-hwclock`) never stretches or cuts a
/// timeout, a back-off or a bake.
///
/// Waiting is a call on the clock, never a bare `usleep`: a test passes a fake whose `sleep`
/// returns at once and moves its time forward, so "five short crashes trip the breaker after
/// delays of 1, 2, 4, 8 s" runs in a millisecond and asserts the exact schedule.
public protocol MonotonicClock: Sendable {
    /// The current instant.
    var now: ContinuousClock.Instant { get }
    /// Blocks the calling thread until `deadline`; returns at once when it has passed. May
    /// return early (a signal), so callers re-check their condition and the time.
    func sleep(until deadline: ContinuousClock.Instant)
    /// Blocks until `deadline` or until `event` is signalled (consuming the signal), whichever
    /// comes first; returns whether the event came.
    ///
    /// A loop that ticks on the clock while it waits for something another thread reports (the
    /// round's agent exiting) wakes at once on the system clock instead of at the next tick.
    /// The default checks the event without blocking, then sleeps on the clock, so a fake
    /// clock still jumps.
    func sleep(until deadline: ContinuousClock.Instant, wakingFor event: DispatchSemaphore) -> Bool
}

extension MonotonicClock {
    public func sleep(until deadline: ContinuousClock.Instant, wakingFor event: DispatchSemaphore) -> Bool {
        if event.wait(timeout: .now()) == .success { return true }
        sleep(until: deadline)
        return false
    }

    /// Blocks for `duration` (see ``sleep(until:)``).
    public func sleep(for duration: Duration) {
        sleep(until: now + duration)
    }

    /// Sleeps until `deadline` in steps of at most `tick`, returning early as soon as
    /// `interrupted()` is true (checked before each step). Returns whether it was interrupted.
    ///
    /// This is how a loop waits while staying responsive to a stop request or a stop file:
    /// one loop, on the injected clock, instead of a `usleep` loop written at each call site.
    @discardableResult
    public func sleep(until deadline: ContinuousClock.Instant, tick: Duration, interrupted: () -> Bool) -> Bool {
        while true {
            if interrupted() { return true }
            let current = now
            if current >= deadline { return false }
            sleep(until: min(deadline, current + tick))
        }
    }
}

/// The machine's monotonic clock (`CLOCK_MONOTONIC` through `ContinuousClock`).
public struct SystemMonotonicClock: MonotonicClock {
    public init() {}

    public var now: ContinuousClock.Instant { .now }

    public func sleep(until deadline: ContinuousClock.Instant) {
        let left = deadline - .now
        guard left > .zero else { return }
        var request = left.timespec
        _ = nanosleep(&request, nil)  // EINTR ends the sleep early; callers re-check.
    }

    public func sleep(until deadline: ContinuousClock.Instant, wakingFor event: DispatchSemaphore) -> Bool {
        let left = max(.zero, deadline - .now)
        return event.wait(timeout: .now() + .nanoseconds(Int(left.nanoseconds))) == .success
    }
}
