import FleetCore
import Monitoring
import Synchronization

/// Runs alert hooks on their own threads, so a slow or hanging hook never delays polling.
///
/// Each hook runs in its own process group with stdin = the alert JSON, a deadline of its
/// `timeout_s` after which the whole group gets SIGTERM then SIGKILL, and stdout/stderr captured
/// up to 64 KiB (only the tail is kept for the log). A hook that fails (non-zero exit, killed at
/// its timeout, cannot be started) is recorded as `hook_failed` in the fleet event log. When
/// more than `queueLimit` hooks wait, new ones are dropped and recorded the same way: a hook
/// storm must not grow fleetctl's memory without bound.
///
/// Runs of one hook for one host happen one after another, in dispatch order (a lane per hook
/// and host): a hook that logs or pages must see an episode's `resolved` before the next
/// `firing`, never the two racing on different threads. Different hosts and hooks run in parallel.
public final class HookDispatcher: Sendable {
    /// The outcome of one hook run.
    public struct Result: Sendable, Equatable {
        public var invocation: HookInvocation
        public var host: String
        public var exit: ExitStatus?
        public var timedOut: Bool
        /// Why it failed; nil on success.
        public var error: String?
        /// The end of its combined output (at most 512 bytes).
        public var outputTail: String
        public var duration: Duration
    }

    public static let outputLimit = 64 << 10

    private struct Job: Sendable {
        var invocation: HookInvocation
        var notification: AlertNotification
    }

    /// Hooks waiting per lane (`hook NUL host`), and the lanes a thread is draining.
    private struct Lanes {
        var waiting: [String: [Job]] = [:]
        var draining: Set<String> = []
        var count = 0
    }

    private let queueLimit: Int
    private let lanes = Mutex(Lanes())
    private let pool: WorkerPool
    private let runner: any ProcessRunner
    private let environment: [String: String]
    private let eventLog: EventLogWriter?
    private let onResult: @Sendable (Result) -> Void

    /// - Parameters:
    ///   - threads: hooks run at the same time.
    ///   - environment: the base environment of hooks (fleetctl's own).
    ///   - eventLog: where failures are recorded.
    ///   - onResult: called on the hook thread after each run.
    public init(
        threads: Int = 4, queueLimit: Int = 256, runner: any ProcessRunner = PosixProcessRunner(),
        environment: [String: String] = ProcessRequest.currentEnvironment(), eventLog: EventLogWriter?,
        onResult: @escaping @Sendable (Result) -> Void = { _ in }
    ) {
        pool = WorkerPool(threads: threads)
        self.queueLimit = max(1, queueLimit)
        self.runner = runner
        self.environment = environment
        self.eventLog = eventLog
        self.onResult = onResult
    }

    /// Queues `invocation` for `notification` behind the earlier runs of the same hook for the
    /// same host; returns false (and records the drop) when the queue is full.
    @discardableResult
    public func dispatch(_ invocation: HookInvocation, for notification: AlertNotification) -> Bool {
        let lane = invocation.hook + "\u{0}" + notification.host
        let admitted: Bool?  // nil: full; true: this call starts the lane's thread
        admitted = lanes.withLock { state -> Bool? in
            guard state.count < queueLimit else { return nil }
            state.count += 1
            state.waiting[lane, default: []].append(Job(invocation: invocation, notification: notification))
            return state.draining.insert(lane).inserted
        }
        guard let admitted else {
            drop(
                invocation, notification,
                because: "more than \(queueLimit) hooks are waiting (hooks slower than alerts arrive)")
            return false
        }
        if admitted && !pool.submit({ [self] in drain(lane) }) {
            let jobs = lanes.withLock { state -> [Job] in
                let jobs = state.waiting.removeValue(forKey: lane) ?? []
                state.draining.remove(lane)
                state.count -= jobs.count
                return jobs
            }
            for job in jobs { drop(job.invocation, job.notification, because: "fleetctl is shutting down") }
            return false
        }
        return true
    }

    /// Runs the lane's hooks in order until it is empty.
    private func drain(_ lane: String) {
        while let job = lanes.withLock({ state -> Job? in
            guard var jobs = state.waiting[lane], !jobs.isEmpty else {
                state.waiting[lane] = nil
                state.draining.remove(lane)
                return nil
            }
            let job = jobs.removeFirst()
            state.waiting[lane] = jobs
            state.count -= 1
            return job
        }) {
            let result = run(job.invocation, host: job.notification.host)
            if result.error != nil { record(result, notification: job.notification) }
            onResult(result)
        }
    }

    private func drop(_ invocation: HookInvocation, _ notification: AlertNotification, because reason: String) {
        let dropped = Result(
            invocation: invocation, host: notification.host, exit: nil, timedOut: false, error: "not run: \(reason)",
            outputTail: "", duration: .zero)
        record(dropped, notification: notification)
        onResult(dropped)
    }

    /// Hooks queued, not yet started.
    public var pending: Int { lanes.withLock { $0.count } }

    /// Waits for queued and running hooks to end (each is bounded by its timeout), then stops the threads.
    public func finish() {
        pool.shutdown()
    }

    func run(_ invocation: HookInvocation, host: String) -> Result {
        var env = environment
        env.merge(invocation.environment) { _, new in new }
        let request = ProcessRequest(
            invocation.argv[0], arguments: Array(invocation.argv.dropFirst()), environment: env,
            standardInput: .bytes(invocation.stdin), standardOutput: .capture(limit: Self.outputLimit),
            standardError: .mergeIntoStandardOutput, grouping: .newProcessGroup,
            deadline: .now + invocation.timeout, terminationGrace: .seconds(1))
        let started = ContinuousClock.now
        do {
            let output = try runner.run(request)
            let tail = Self.tail(output.stdout)
            var error: String?
            if output.timedOut {
                error =
                    "killed after its timeout of \(invocation.timeout.shortText) "
                    + "(the hook's whole process group)"
            } else if !output.exit.isSuccess {
                error = "exited with \(output.exit)"
            }
            return Result(
                invocation: invocation, host: host, exit: output.exit, timedOut: output.timedOut, error: error,
                outputTail: tail, duration: output.duration)
        } catch {
            let reason = (error as? ProcessError)?.message ?? "\(error)"
            return Result(
                invocation: invocation, host: host, exit: nil, timedOut: false,
                error: "cannot start \(invocation.argv[0]): \(reason)",
                outputTail: "", duration: ContinuousClock.now - started)
        }
    }

    private func record(_ result: Result, notification: AlertNotification) {
        _ = try? eventLog?.append(HookFailed(result, notification: notification))
    }

    private static func tail(_ bytes: [UInt8]) -> String {
        TerminalText.sanitize(String(decoding: bytes.suffix(512), as: UTF8.self), keepNewlines: true)
    }
}

extension HookFailed {
    /// The event for a hook run (or drop) that failed.
    public init(_ result: HookDispatcher.Result, notification: AlertNotification) {
        var exitCode: Int?
        if case .terminated(let code)? = result.exit { exitCode = Int(code) }
        self.init(
            hook: result.invocation.hook, host: notification.host, detector: notification.alert.detector,
            state: notification.state.rawValue, error: result.error ?? "", timedOut: result.timedOut,
            outputTail: result.outputTail, exitCode: exitCode)
    }
}
