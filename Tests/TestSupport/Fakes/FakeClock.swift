import FleetCore
import Synchronization

/// A monotonic clock whose `sleep` returns at once and moves time forward, with a wall clock
/// that moves with it: a loop that waits minutes runs in microseconds, and the test asserts
/// the exact waits (``sleeps``).
///
/// Threads may share it (a watch loop's workers sleep on it too); time only moves forward.
public final class FakeClock: MonotonicClock, Sendable {
    private struct State {
        var now: ContinuousClock.Instant
        var sleeps: [Duration] = []
    }

    private let origin: ContinuousClock.Instant
    private let wallOrigin: UTCInstant
    private let state: Mutex<State>

    /// Starts at the real monotonic now, with the wall clock at `wall` (default 2026-11-18).
    public init(wall: UTCInstant = UTCInstant(seconds: 1_795_000_000)) {
        origin = .now
        wallOrigin = wall
        state = Mutex(State(now: origin))
    }

    public var now: ContinuousClock.Instant {
        state.withLock { $0.now }
    }

    /// Records the wait and jumps to `deadline` (never backwards).
    public func sleep(until deadline: ContinuousClock.Instant) {
        state.withLock { state in
            guard deadline > state.now else { return }
            state.sleeps.append(deadline - state.now)
            state.now = deadline
        }
    }

    /// Moves time forward without recording a sleep (something else took this long).
    public func advance(by duration: Duration) {
        state.withLock { $0.now += max(.zero, duration) }
    }

    /// Every wait so far, in order.
    public var sleeps: [Duration] {
        state.withLock { $0.sleeps }
    }

    /// Time since the clock was made.
    public var elapsed: Duration {
        now - origin
    }

    /// The wall clock that moves with this clock.
    public var wallClock: any WallClock {
        FakeWallClock(clock: self)
    }

    fileprivate func wallNow() -> UTCInstant {
        let nanoseconds = elapsed.nanoseconds
        return UTCInstant(seconds: wallOrigin.seconds, nanoseconds: Int64(wallOrigin.nanoseconds) + nanoseconds)
    }
}

private struct FakeWallClock: WallClock {
    let clock: FakeClock

    func now() -> UTCInstant {
        clock.wallNow()
    }
}
