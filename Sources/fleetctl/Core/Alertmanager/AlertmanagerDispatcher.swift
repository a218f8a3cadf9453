import FleetCore
import Monitoring

/// Delivers alert notifications to one Alertmanager (`kind = "alertmanager"` hook) on its own
/// thread, so a slow or down Alertmanager never delays a poll.
///
/// Notifications wait in a bounded queue (past `queueLimit` they are dropped and recorded);
/// each batch is posted with bounded retries (``AlertmanagerRetry``); firing alerts are
/// re-posted every `resendS` (``AlertmanagerOutbox``). A batch that fails for good is recorded
/// as `hook_failed` in the fleet event log.
public final class AlertmanagerDispatcher: @unchecked Sendable {  // `lock` guards queue, stopping, outbox.
    /// Posts `body` to `url` within `timeoutS`; returns the HTTP status.
    public typealias Post = @Sendable (_ url: String, _ body: [UInt8], _ timeoutS: Double) throws(HTTPError) -> Int

    /// The outcome of one batch.
    public struct Result: Sendable, Equatable {
        public var hook: String
        public var alerts: [AlertmanagerAlert]
        public var attempts: Int
        /// Why it failed for good; nil when Alertmanager accepted it.
        public var error: String?
    }

    public let hook: Inventory.AlertHook
    public let url: String
    private let groups: [String: String]
    private let retry: AlertmanagerRetry
    private let queueLimit: Int
    private let eventLog: EventLogWriter?
    private let post: Post
    private let onResult: @Sendable (Result) -> Void
    /// A condition lock, not a `Mutex`: the delivery thread waits on it for alerts, for the
    /// next resend and through back-off delays, and `finish()` wakes it.
    private let lock = ConditionLock()
    private var queue: [AlertmanagerAlert] = []
    private var stopping = false
    private var outbox: AlertmanagerOutbox
    private let thread = WorkerPool(threads: 1)

    /// - Parameters:
    ///   - hook: an Alertmanager hook (its `alertmanagerURL` is set).
    ///   - groups: host → `group` label.
    public init(
        hook: Inventory.AlertHook, groups: [String: String], eventLog: EventLogWriter?, resendS: Double = 60,
        retry: AlertmanagerRetry = AlertmanagerRetry(), queueLimit: Int = 1024,
        post: @escaping Post = AlertmanagerDispatcher.httpPost,
        onResult: @escaping @Sendable (Result) -> Void = { _ in }
    ) {
        self.hook = hook
        url = AlertmanagerAlert.endpoint(hook.alertmanagerURL ?? "")
        self.groups = groups
        self.retry = retry
        self.queueLimit = queueLimit
        self.eventLog = eventLog
        self.post = post
        self.onResult = onResult
        outbox = AlertmanagerOutbox(resendS: resendS)
        thread.submit { [self] in loop() }
    }

    /// The real transport: ``HTTPClient``; 2xx is success.
    public static let httpPost: Post = { (url: String, body: [UInt8], timeoutS: Double) throws(HTTPError) -> Int in
        try HTTPClient(timeoutS: timeoutS, maxBodyBytes: 64 << 10).post(url, json: body).status
    }

    /// Queues the notification's alert; never blocks. False (and recorded) when the queue is full.
    @discardableResult
    public func enqueue(_ notification: AlertNotification) -> Bool {
        let alert = AlertmanagerAlert(notification: notification, group: groups[notification.host] ?? "")
        let accepted = lock.withLock {
            guard !stopping, queue.count < queueLimit else { return false }
            queue.append(alert)
            lock.broadcast()
            return true
        }
        if !accepted {
            let result = Result(
                hook: hook.name, alerts: [alert], attempts: 0,
                error:
                    "not sent: more than \(queueLimit) alerts are waiting for \(url) (Alertmanager slower than alerts arrive, or down)"
            )
            record(result)
            onResult(result)
        }
        return accepted
    }

    /// Posts what is queued (one attempt each, no back-off waits), then stops the thread.
    public func finish() {
        lock.withLock {
            stopping = true
            lock.broadcast()
        }
        thread.shutdown()
    }

    private func loop() {
        while true {
            let (batch, stop, resend) = lock.withLock { () -> ([AlertmanagerAlert], Bool, [AlertmanagerAlert]) in
                let deadline =
                    ContinuousClock.now + .milliseconds(Int64(outbox.secondsUntilResend(now: Self.unixNow()) * 1000))
                while queue.isEmpty && !stopping && ContinuousClock.now < deadline {
                    lock.wait(until: deadline)
                }
                let taken = queue
                queue.removeAll()
                var batch: [AlertmanagerAlert] = []
                for alert in taken { batch.append(outbox.apply(alert)) }
                let posted = Set(batch.map(\.identity))
                let resend =
                    stopping ? [] : outbox.resendDue(now: Self.unixNow()).filter { !posted.contains($0.identity) }
                return (batch, stopping, resend)
            }
            let alerts = batch + resend
            if !alerts.isEmpty { deliver(alerts, retrying: !stop) }
            if stop { return }
        }
    }

    private func deliver(_ alerts: [AlertmanagerAlert], retrying: Bool) {
        let body = AlertmanagerAlert.body(alerts)
        let delays = retrying ? retry.delaysS : []
        var attempts = 0
        var error: String?
        while true {
            attempts += 1
            var retryable = true
            do {
                let status = try post(url, body, Double(hook.timeoutS))
                if (200..<300).contains(status) {
                    error = nil
                    break
                }
                error = "Alertmanager answered HTTP \(status)"
                retryable = AlertmanagerRetry.isRetryable(status: status)
            } catch let failure {
                error = failure.message
            }
            guard retryable, attempts <= delays.count, !waitOrStop(seconds: delays[attempts - 1]) else { break }
        }
        let result = Result(
            hook: hook.name, alerts: alerts, attempts: attempts,
            error: error.map { "\($0) (\(attempts) attempt\(attempts == 1 ? "" : "s") to \(url))" })
        if result.error != nil { record(result) }
        onResult(result)
    }

    /// Waits `seconds`; true when fleetctl is stopping (give up the back-off).
    private func waitOrStop(seconds: Double) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        return lock.withLock {
            while !stopping && ContinuousClock.now < deadline { lock.wait(until: deadline) }
            return stopping
        }
    }

    private func record(_ result: Result) {
        _ = try? eventLog?.append(AlertmanagerHookFailed(result, url: url))
    }

    private static func unixNow() -> Double {
        Seconds.epoch(SystemClock().now())
    }
}

extension AlertmanagerHookFailed {
    /// The event for a batch posted to `url` that failed for good.
    public init(_ result: AlertmanagerDispatcher.Result, url: String) {
        func distinct(_ values: [String]) -> [String] { Array(Set(values)).sorted() }
        self.init(
            hook: result.hook, url: url,
            hosts: distinct(result.alerts.compactMap { $0.labels.first { $0.0 == "host" }?.1 }),
            detectors: distinct(result.alerts.compactMap { $0.labels.first { $0.0 == "detector" }?.1 }),
            states: distinct(result.alerts.map { $0.endsAt == nil ? "firing" : "resolved" }),
            alerts: result.alerts.count, attempts: result.attempts, error: result.error ?? "")
    }
}
