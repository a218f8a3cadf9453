import Glibc
import Synchronization

/// A fixed set of dedicated threads that run blocking jobs: ssh polls, auto-stops, hooks.
///
/// Raw pthreads rather than Swift concurrency or Dispatch: each job blocks for the whole life of
/// a child process (an ssh poll can take its full deadline), and parking dozens of those on
/// Swift's cooperative pool (one thread per core) or Dispatch's bounded global pool would starve
/// everything else. The thread count is the concurrency limit (`--parallel`); the queue bound
/// keeps a burst (a hook storm) from growing memory without end.
///
/// The threads hold the queue, not the pool: a pool released without ``shutdown()`` (an
/// endpoint whose `listen` threw right after its pool was made) stops and joins its threads in
/// `deinit` instead of having them read a pool that is being destroyed.
public final class WorkerPool: Sendable {
    private let queue: JobQueue
    /// Most jobs waiting (not yet running); ``submit(_:)`` refuses beyond it.
    public var queueLimit: Int { queue.limit }

    /// Starts `threads` threads (at least 1).
    public init(threads: Int, queueLimit: Int = Int.max) {
        queue = JobQueue(limit: queueLimit)
        for _ in 0..<max(1, threads) {
            let queue = self.queue
            if let thread = try? Self.startThread({ queue.work() }) {
                queue.adopt(thread)
            }
        }
    }

    deinit {
        queue.shutdown()
    }

    /// Queues `job`; false when the queue is full or the pool is shut down (the job is dropped).
    @discardableResult
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        queue.submit(job)
    }

    /// Jobs queued or running.
    public var pending: Int { queue.pending }

    /// Runs the queued jobs to completion, then stops and joins the threads. Idempotent.
    public func shutdown() {
        queue.shutdown()
    }

    /// The jobs and the threads that run them.
    private final class JobQueue: @unchecked Sendable {  // Every stored var is read and written under `mutex`.
        private let mutex: UnsafeMutablePointer<pthread_mutex_t>
        private let condition: UnsafeMutablePointer<pthread_cond_t>
        private var jobs: [@Sendable () -> Void] = []
        private var head = 0
        private var running = 0
        private var stopping = false
        private var threads: [pthread_t] = []
        let limit: Int

        init(limit: Int) {
            mutex = .allocate(capacity: 1)
            condition = .allocate(capacity: 1)
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(condition, nil)
            self.limit = limit
        }

        deinit {
            pthread_cond_destroy(condition)
            pthread_mutex_destroy(mutex)
            mutex.deallocate()
            condition.deallocate()
        }

        func adopt(_ thread: pthread_t) {
            pthread_mutex_lock(mutex)
            threads.append(thread)
            pthread_mutex_unlock(mutex)
        }

        func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            guard !stopping, jobs.count - head < limit else { return false }
            jobs.append(job)
            pthread_cond_signal(condition)
            return true
        }

        var pending: Int {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return jobs.count - head + running
        }

        func shutdown() {
            pthread_mutex_lock(mutex)
            stopping = true
            pthread_cond_broadcast(condition)
            let joining = threads
            threads = []
            pthread_mutex_unlock(mutex)
            let me = pthread_self()
            for thread in joining where pthread_equal(thread, me) == 0 { pthread_join(thread, nil) }
        }

        func work() {
            while true {
                pthread_mutex_lock(mutex)
                while head == jobs.count && !stopping { pthread_cond_wait(condition, mutex) }
                if head == jobs.count {
                    pthread_mutex_unlock(mutex)
                    return
                }
                let job = jobs[head]
                head += 1
                if head > 1024 && head * 2 > jobs.count {
                    jobs.removeFirst(head)
                    head = 0
                }
                running += 1
                pthread_mutex_unlock(mutex)
                job()
                pthread_mutex_lock(mutex)
                running -= 1
                pthread_mutex_unlock(mutex)
            }
        }
    }

    /// `body` over every item on at most `parallel` dedicated threads; results in input order.
    public static func map<Item: Sendable, Result: Sendable>(
        _ items: [Item], parallel: Int, _ body: @escaping @Sendable (Item) -> Result
    ) -> [Result] {
        guard !items.isEmpty else { return [] }
        let box = MapState<Result>(count: items.count)
        let threadCount = min(max(1, parallel), items.count)
        var started: [pthread_t] = []
        for _ in 0..<threadCount {
            let thread = try? startThread {
                while let index = box.claim() {
                    box.store(body(items[index]), at: index)
                }
            }
            if let thread { started.append(thread) }
        }
        if started.isEmpty {
            // No thread could be created: do the work here rather than fail.
            while let index = box.claim() { box.store(body(items[index]), at: index) }
        }
        for thread in started { pthread_join(thread, nil) }
        return box.results()
    }

    private final class MapState<Result: Sendable>: Sendable {
        private let state: Mutex<(next: Int, slots: [Result?])>
        init(count: Int) {
            state = Mutex((0, Array(repeating: nil, count: count)))
        }
        func claim() -> Int? {
            state.withLock { state in
                guard state.next < state.slots.count else { return nil }
                state.next += 1
                return state.next - 1
            }
        }
        func store(_ result: Result, at index: Int) {
            state.withLock { $0.slots[index] = result }
        }
        func results() -> [Result] {
            state.withLock { $0.slots.compactMap { $0 } }
        }
    }

    /// A joinable thread with a 1 MiB stack running `body`.
    static func startThread(_ body: @escaping @Sendable () -> Void) throws -> pthread_t {
        do {
            return try IOThread.start(stackSize: 1 << 20, body)
        } catch {
            throw WorkerPoolError(code: error.code)
        }
    }
}

/// A thread could not be created (`pthread_create` failed with `code`).
public struct WorkerPoolError: Error, Sendable {
    public var code: Int32
}
