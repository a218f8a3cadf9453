import Detectors
import FleetCore
import SSHTransport

/// A host under watch: where to poll and how to judge it.
public struct WatchedHost: Sendable {
    public var target: PollTarget
    public var policy: MonitorPolicy

    public init(target: PollTarget, policy: MonitorPolicy) {
        self.target = target
        self.policy = policy
    }
}

/// What the watch loop tells its frontend, on the loop's thread, in order.
public enum WatchReport: Sendable {
    /// A host was polled; its monitor after the poll.
    case polled(HostPoll, HostMonitor)
    /// An alert notification; `silencedBy` is set when no hook ran because of a silence.
    case notification(AlertNotification, silencedBy: Silence?)
    /// An auto-stop was tried, refused or only shown (`--dry-run`).
    case autoStop(host: String, alert: Alert, AutoStopReport)
    /// A problem worth a line on stderr (state could not be saved...).
    case warning(String)
}

/// What became of one auto-stop request.
public enum AutoStopReport: Sendable, Equatable {
    case confirmed(elapsed: Duration)
    case failed(String)
    /// Refused by the fleet-wide cap.
    case capped(limit: Int)
    /// `--dry-run`: shown, not performed.
    case dryRun(command: [String])
}

/// `fleetctl watch` (and `agent-runner monitor --host`): polls each host on its own interval,
/// with jitter, on dedicated worker threads (at most `parallel` ssh calls at once), and handles
/// every answer on one loop thread: alert state (``HostMonitor``), the event log, silences,
/// hooks (``HookDispatcher``, never blocking the loop), auto-stop (on its own threads, capped
/// fleet-wide by ``AutoStopBudget``), and the persisted state (``WatchStateStore``).
public final class FleetWatcher: @unchecked Sendable {
    public struct Options: Sendable {
        /// Stop after every host has been polled this many times (`--cycles`, `--once` = 1); nil = forever.
        public var cycles: Int?
        /// Show auto-stops instead of performing them.
        public var dryRun: Bool
        /// ssh polls running at once.
        public var parallel: Int
        /// Poll intervals vary by up to this fraction, so hosts drift apart instead of being
        /// polled (and their sshd woken) in lockstep.
        public var jitter: Double

        public init(cycles: Int? = nil, dryRun: Bool = false, parallel: Int = 32, jitter: Double = 0.1) {
            self.cycles = cycles
            self.dryRun = dryRun
            self.parallel = parallel
            self.jitter = jitter
        }
    }

    private enum Completion {
        case poll(HostPoll)
        case stop(host: String, alert: Alert, AutoStopper.Outcome)
    }

    private let hosts: [WatchedHost]
    private let poller: PeekPoller
    private let stopper: AutoStopper
    private let hooks: HookDispatcher?
    private let routes: [HookRoute]
    private let eventLog: EventLogWriter?
    private let stateStore: WatchStateStore?
    private let silenceStore: SilenceStore?
    private let options: Options
    private var budget: AutoStopBudget
    private let report: (WatchReport) -> Void

    private var monitors: [String: HostMonitor] = [:]
    private var savedHosts: [String: JSONValue] = [:]
    private var silences = SilenceList()
    private var silencesReadAt: ContinuousClock.Instant?
    private var savedAt: ContinuousClock.Instant?
    /// Hook calls decided by the polls being handled, started only once the state that
    /// records them is on disk (see ``flush(startingStops:)``).
    private var pendingHooks: [(HookInvocation, AlertNotification)] = []

    public init(hosts: [WatchedHost], poller: PeekPoller, stopper: AutoStopper, hooks: HookDispatcher?, routes: [HookRoute],
                eventLog: EventLogWriter?, stateStore: WatchStateStore?, silenceStore: SilenceStore?, autoStopLimit: Int,
                options: Options, report: @escaping (WatchReport) -> Void) {
        self.hosts = hosts
        self.poller = poller
        self.stopper = stopper
        self.hooks = hooks
        self.routes = routes
        self.eventLog = eventLog
        self.stateStore = stateStore
        self.silenceStore = silenceStore
        self.options = options
        self.report = report
        budget = AutoStopBudget(limit: autoStopLimit)
    }

    /// Restores saved state; a host whose saved state cannot be used starts afresh (reported).
    public func restore() throws {
        guard let stateStore else { return }
        let snapshot = try stateStore.load()
        savedHosts = snapshot.hosts
        budget = AutoStopBudget(limit: budget.limit, windowS: budget.windowS, recent: snapshot.autoStops)
        for host in hosts {
            guard let saved = snapshot.hosts[host.target.name] else { continue }
            do {
                monitors[host.target.name] = try HostMonitor(host: host.target.name, policy: host.policy, json: saved)
            } catch {
                report(.warning("\(host.target.name): saved alert state ignored (\(error)); alerts already firing will be notified again"))
            }
        }
    }

    /// The monitor of `host` (after ``run(shouldStop:)``, for tests and summaries).
    public func monitor(of host: String) -> HostMonitor? {
        monitors[host]
    }

    /// Polls until `shouldStop()` or, with `cycles`, until every host is done; then waits for
    /// running auto-stops and hooks (each bounded by its own deadline) and saves the state.
    public func run(shouldStop: () -> Bool) {
        for host in hosts where monitors[host.target.name] == nil {
            monitors[host.target.name] = HostMonitor(host: host.target.name, policy: host.policy)
        }
        _ = try? eventLog?.append(.monitorStarted, [
            "host": hosts.count == 1 ? .string(hosts[0].target.name) : .null,
            "hosts": .int(Int64(hosts.count)),
            "mode": "anomaly-only",
            "log_dir": eventLog.map { .string($0.directory) } ?? .null,
        ])
        let pollThreads = min(max(1, options.parallel), max(1, hosts.count))
        let pollPool = WorkerPool(threads: pollThreads)
        let maxInFlight = pollThreads * 4
        let stopPool = WorkerPool(threads: 2)
        let completions = BlockingQueue<Completion>()
        var due = DueQueue()
        let start = ContinuousClock.now
        for (index, host) in hosts.enumerated() {
            // Spread the first polls over at most a second so a big fleet does not start with a burst.
            let spread = hosts.count > 1 ? min(1.0, host.target.settings.pollIntervalS * options.jitter) * Double(index) / Double(hosts.count) : 0
            due.push(index, at: start + .milliseconds(Int64(spread * 1000)))
        }
        var inFlight = 0
        var finished = 0
        var pollCounts = Array(repeating: 0, count: hosts.count)
        var stopsRunning = 0
        let indexByName = Dictionary(uniqueKeysWithValues: hosts.enumerated().map { ($0.element.target.name, $0.offset) })

        while !shouldStop() {
            if finished == hosts.count && stopsRunning == 0 && inFlight == 0 { break }
            let now = ContinuousClock.now
            // At most a few polls per worker are queued or unhandled at once: answers waiting
            // for the loop hold parsed observations, and a big fleet must not pile them up.
            for index in due.popDue(now, limit: maxInFlight - inFlight) {
                inFlight += 1
                let target = hosts[index].target
                let poller = self.poller
                pollPool.submit { completions.push(.poll(poller.poll(target))) }
            }
            // With every slot taken, an overdue host cannot be submitted before a poll
            // completes: wait for a completion, not for its due time (which would spin).
            let wake = inFlight >= maxInFlight
                ? now + .milliseconds(250) : min(due.next ?? now + .milliseconds(250), now + .milliseconds(250))
            let batch = completions.drain(waitingUntil: wake)
            if batch.isEmpty { continue }
            var stopsToStart: [() -> Void] = []
            for completion in batch {
                switch completion {
                case .poll(let poll):
                    inFlight -= 1
                    guard let index = indexByName[poll.host] else { continue }
                    let host = hosts[index]
                    let step = handle(poll)
                    for alert in step.autoStops {
                        if requestStop(host: host, alert: alert, at: poll.polledAt) {
                            stopsRunning += 1
                            let stopper = self.stopper
                            stopsToStart.append { stopPool.submit { completions.push(.stop(host: poll.host, alert: alert, stopper.stop(host.target))) } }
                        }
                    }
                    pollCounts[index] += 1
                    if let cycles = options.cycles, pollCounts[index] >= cycles {
                        finished += 1
                    } else {
                        let interval = host.target.settings.pollIntervalS
                        let base = step.retryAfterS.map { min($0, interval) } ?? interval
                        let jittered = base * (1 + options.jitter * (Double.random(in: 0..<1) - 0.5))
                        due.push(index, at: ContinuousClock.now + .milliseconds(Int64(max(0.05, jittered) * 1000)))
                    }
                case .stop(let host, let alert, let outcome):
                    stopsRunning -= 1
                    recordStop(host: host, alert: alert, outcome: outcome)
                }
            }
            flush(startingStops: stopsToStart)
        }
        pollPool.shutdown()
        stopPool.shutdown()
        for completion in completions.drain(waitingUntil: .now) {
            switch completion {
            case .poll(let poll): _ = handle(poll)
            case .stop(let host, let alert, let outcome): recordStop(host: host, alert: alert, outcome: outcome)
            }
        }
        flush(startingStops: [])
        hooks?.finish()
        save(force: true)
    }

    /// Applies one poll to its host's monitor and acts on the step (except auto-stops).
    private func handle(_ poll: HostPoll) -> HostMonitor.Step {
        guard var monitor = monitors[poll.host] else { return HostMonitor.Step() }
        let input: HostMonitor.Input
        switch poll.outcome {
        case .measured: input = .measured(poll.observation!)
        case .unreachable(let failure): input = .unreachable(failure)
        case .unreadable: input = .unreadable
        }
        let step = monitor.observe(input, at: poll.polledAt)
        monitors[poll.host] = monitor
        for event in step.events { log(event.kind, event.payload) }
        if !step.notifications.isEmpty { refreshSilences() }
        for notification in step.notifications {
            let silence = silences.muting(host: notification.host, detector: notification.alert.detector, at: notification.at)
            var payload: JSONObject = [
                "host": .string(notification.host), "detector": .string(notification.alert.detector),
                "severity": .string(notification.alert.severity.rawValue), "message": .string(notification.alert.message),
                "auto_action": .string(notification.autoAction), "state": .string(notification.state.rawValue),
                "repeat": .bool(notification.isRepeat), "key": .string(notification.alert.key),
                "context": .object(notification.alert.context),
            ]
            if let silence { payload["silenced_by"] = .string(silence.id) }
            log(.monitorAlertEmitted, payload)
            if silence == nil, let hooks {
                for route in routes where route.matches(notification) {
                    pendingHooks.append((HookInvocation(hook: route.hook, notification: notification), notification))
                }
            }
            report(.notification(notification, silencedBy: silence))
        }
        report(.polled(poll, monitor))
        return step
    }

    /// Whether a stop should run now; records and reports the ones that will not.
    private func requestStop(host: WatchedHost, alert: Alert, at now: UTCInstant) -> Bool {
        if options.dryRun {
            report(.autoStop(host: host.target.name, alert: alert, .dryRun(command: AutoStopper.stopCommand(host.target))))
            return false
        }
        guard budget.admit(at: now) else {
            let error = "not stopped: the fleet-wide cap of \(budget.limit) auto-stop\(budget.limit == 1 ? "" : "s") per 10 minutes is reached (max_per_10m in [defaults.auto_stop])"
            log(.monitorAutoStopFailed, ["host": .string(host.target.name), "detector": .string(alert.detector), "error": .string(error)])
            report(.autoStop(host: host.target.name, alert: alert, .capped(limit: budget.limit)))
            return false
        }
        return true
    }

    private func recordStop(host: String, alert: Alert, outcome: AutoStopper.Outcome) {
        if outcome.confirmed {
            log(.monitorAutoStopTriggered, ["host": .string(host), "detector": .string(alert.detector), "confirmed": true,
                                            "elapsed_s": .double((Seconds.of(outcome.elapsed) * 1000).rounded() / 1000)])
            report(.autoStop(host: host, alert: alert, .confirmed(elapsed: outcome.elapsed)))
        } else {
            let error = outcome.error ?? "not confirmed"
            log(.monitorAutoStopFailed, ["host": .string(host), "detector": .string(alert.detector), "error": .string(error)])
            report(.autoStop(host: host, alert: alert, .failed(error)))
        }
    }

    private func log(_ kind: EventKind, _ payload: JSONObject) {
        guard let eventLog else { return }
        do {
            try eventLog.append(kind, payload)
        } catch {
            report(.warning("cannot write the event log: \(error)"))
        }
    }

    private func refreshSilences() {
        guard let silenceStore else { return }
        if let read = silencesReadAt, ContinuousClock.now - read < .milliseconds(500) { return }
        silencesReadAt = .now
        do {
            silences = try silenceStore.load()
        } catch {
            report(.warning("\(error); the silences last read stay in force"))
        }
    }

    /// Saves the state; at most twice a second unless forced (a 10,000-host state is megabytes).
    /// Saves the state, then starts what it records: the hooks of this batch's notifications
    /// and its auto-stops. State first, so that a fleetctl killed at any point never notifies or
    /// stops twice for one episode after its restart (at worst, a kill in the moment between
    /// the save and the start loses that one hook call; the fleet event log still has the alert).
    /// Without anything to start, the save is throttled to one per 500 ms.
    private func flush(startingStops stops: [() -> Void]) {
        let starting = !pendingHooks.isEmpty || !stops.isEmpty
        save(force: starting)
        for start in stops { start() }
        let hooksToStart = pendingHooks
        pendingHooks.removeAll()
        for (invocation, notification) in hooksToStart { hooks?.dispatch(invocation, for: notification) }
    }

    private func save(force: Bool) {
        guard let stateStore else { return }
        if !force, let last = savedAt, ContinuousClock.now - last < .milliseconds(500) { return }
        savedAt = .now
        var snapshot = WatchStateStore.Snapshot()
        snapshot.hosts = savedHosts
        for (name, monitor) in monitors { snapshot.hosts[name] = monitor.toJSON() }
        snapshot.autoStops = budget.recent
        do {
            try stateStore.save(snapshot)
        } catch {
            report(.warning("cannot save the watch state to \(stateStore.path): \(error)"))
        }
    }
}
