import Glibc

/// A pthread mutex with a condition variable, heap-allocated so its address is stable.
/// `Synchronization.Mutex` has no condition variable, which the blocking queue needs; use
/// `Mutex` wherever no thread has to wait for a change.
public final class ConditionLock: @unchecked Sendable {  // The pthread mutex guards all state; the pointers never change.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Wakes every waiter; call with the lock held or not.
    public func broadcast() {
        pthread_cond_broadcast(condition)
    }

    /// Waits (lock held by the caller, inside ``withLock(_:)``) until woken or `deadline`.
    public func wait(until deadline: ContinuousClock.Instant) {
        let left = deadline - .now
        guard left > .zero else { return }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let wait = min(left, .seconds(Int64(Int32.max))).timespec
        var nanoseconds = Int(now.tv_nsec) + wait.tv_nsec
        var wholeSeconds = Int(now.tv_sec) + wait.tv_sec
        if nanoseconds >= 1_000_000_000 {
            nanoseconds -= 1_000_000_000
            wholeSeconds += 1
        }
        var target = timespec(tv_sec: wholeSeconds, tv_nsec: nanoseconds)
        pthread_cond_timedwait(condition, mutex, &target)
    }
}

/// A thread-safe FIFO the watch loop waits on: poll results and auto-stop outcomes arrive from
/// worker threads and are handled on the loop's thread, in arrival order.
public final class BlockingQueue<Element>: @unchecked Sendable {  // `items` only under `lock`.
    private let lock = ConditionLock()
    private var items: [Element] = []

    public init() {}

    public func push(_ item: Element) {
        lock.withLock {
            items.append(item)
            lock.broadcast()
        }
    }

    /// Everything queued, waiting up to `timeout` (real time) for at least one item; empty on
    /// time-out.
    public func drain(waitingAtMost timeout: Duration) -> [Element] {
        drain(waitingUntil: .now + timeout)
    }

    /// Everything queued, waiting until `deadline` for at least one item; empty on time-out.
    public func drain(waitingUntil deadline: ContinuousClock.Instant) -> [Element] {
        lock.withLock {
            while items.isEmpty && ContinuousClock.now < deadline {
                lock.wait(until: deadline)
            }
            let taken = items
            items.removeAll(keepingCapacity: true)
            return taken
        }
    }
}
