import Detectors
import FleetCore
import SSHTransport

/// What the watch loop tells its frontend, on the loop's thread, in order.
public enum WatchReport: Sendable {
    /// A host was polled; its monitor after the poll.
    case polled(HostPoll, HostMonitor)
    /// An alert notification; `silencedBy` is set when no hook ran because of a silence.
    case notification(AlertNotification, silencedBy: AlertSilence?)
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
/// every answer on one loop thread: alert state (``HostMonitor``), the event log, the
/// ``AlertRouter`` (silences, hooks: never blocking the loop), auto-stop (on its own threads,
/// capped fleet-wide by ``AutoStopBudget``), and the persisted state (``WatchStateStore``).
///
/// Time comes from the effects' monotonic clock and jitter from their random source: on a fake
/// clock with a scripted remote executor, a test drives hours of polling in milliseconds.
public final class WatchLoop: @unchecked Sendable {  // Loop-thread state only; workers talk through `completions`.
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
        /// Most auto-stops across all hosts in any 10 minutes (`max_per_10m`).
        public var autoStopLimit: Int
        /// Pause between the peeks that confirm an auto-stop.
        public var confirmInterval: Duration

        public init(
            cycles: Int? = nil, dryRun: Bool = false, parallel: Int = 32, jitter: Double = 0.1,
            autoStopLimit: Int = .max, confirmInterval: Duration = .milliseconds(500)
        ) {
            self.cycles = cycles
            self.dryRun = dryRun
            self.parallel = parallel
            self.jitter = jitter
            self.autoStopLimit = autoStopLimit
            self.confirmInterval = confirmInterval
        }
    }

    /// Where the loop writes: its event log, its saved state, its alert router. Each optional:
    /// a benchmark needs none, `agent-runner monitor --host` has no router.
    public struct Outputs: Sendable {
        public var eventLog: EventLogWriter?
        public var stateStore: WatchStateStore?
        public var router: (any AlertRouter)?
        /// How many months of the event log stay (fleetctl's `fleet-events-YYYY-MM.jsonl`); the
        /// older ones are deleted when the loop starts and when a month begins. Nil keeps all.
        public var eventLogMonths: MonthlyLogRetention?
        /// Every host the inventory knows: a saved state of a host not among them (removed or
        /// renamed) is dropped, so watch-state.json does not keep every host that ever existed.
        /// Nil keeps every saved host (the loop may watch only some of the inventory).
        public var knownHosts: Set<String>?

        public init(
            eventLog: EventLogWriter? = nil, stateStore: WatchStateStore? = nil, router: (any AlertRouter)? = nil,
            eventLogMonths: MonthlyLogRetention? = nil, knownHosts: Set<String>? = nil
        ) {
            self.eventLog = eventLog
            self.stateStore = stateStore
            self.router = router
            self.eventLogMonths = eventLogMonths
            self.knownHosts = knownHosts
        }
    }

    private enum Completion {
        case poll(HostPoll)
        case stop(host: String, alert: Alert, AutoStopper.Outcome)
    }

    private let hosts: [MonitoredHost]
    private let poller: PeekPoller
    private let stopper: AutoStopper
    private let outputs: Outputs
    private let effects: Effects
    private let options: Options
    private var budget: AutoStopBudget
    private let report: @Sendable (WatchReport) -> Void

    private var monitors: [String: HostMonitor] = [:]
    private var savedHosts: [String: JSONValue] = [:]
    private var savedAt: ContinuousClock.Instant?
    /// The month whose old event-log months were last pruned.
    private var prunedMonth: Int?
    /// Whether notifications were routed since the last save (their hooks start after it).
    private var routed = false

    public init(
        hosts: [MonitoredHost], remote: any RemoteExecutor, effects: Effects, outputs: Outputs = Outputs(),
        options: Options = Options(), report: @escaping @Sendable (WatchReport) -> Void
    ) {
        self.hosts = hosts
        poller = PeekPoller(executor: remote, clock: effects.clock, wallClock: effects.wallClock)
        stopper = AutoStopper(poller: poller, confirmInterval: options.confirmInterval)
        self.outputs = outputs
        self.effects = effects
        self.options = options
        self.report = report
        budget = AutoStopBudget(limit: options.autoStopLimit)
    }
    /// Restores saved state; a host whose saved state cannot be used starts afresh (reported).
    public func restore() throws {
        guard let stateStore = outputs.stateStore else { return }
        let snapshot = try stateStore.load()
        savedHosts = snapshot.hosts
        if let known = outputs.knownHosts { savedHosts = savedHosts.filter { known.contains($0.key) } }
        budget = AutoStopBudget(limit: budget.limit, windowS: budget.windowS, recent: snapshot.autoStops)
        for host in hosts {
            guard let saved = snapshot.hosts[host.target.name] else { continue }
            do {
                monitors[host.target.name] = try HostMonitor(host: host.target.name, policy: host.policy, json: saved)
            } catch {
                report(
                    .warning(
                        "\(host.target.name): saved alert state ignored (\(error)); alerts already firing will be notified again"
                    ))
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
        let clock = effects.clock
        for host in hosts where monitors[host.target.name] == nil {
            monitors[host.target.name] = HostMonitor(host: host.target.name, policy: host.policy)
        }
        log(
            MonitorStarted(
                host: hosts.count == 1 ? hosts[0].target.name : nil, hosts: hosts.count,
                mode: "anomaly-only", logDir: outputs.eventLog?.directory))
        let pollThreads = min(max(1, options.parallel), max(1, hosts.count))
        let pollPool = WorkerPool(threads: pollThreads)
        let maxInFlight = pollThreads * 4
        let stopPool = WorkerPool(threads: 2)
        let completions = BlockingQueue<Completion>()
        var due = DueQueue()
        let start = clock.now
        for (index, host) in hosts.enumerated() {
            // Spread the first polls over at most a second so a big fleet does not start with a burst.
            let spread =
                hosts.count > 1
                ? min(1.0, host.target.settings.pollIntervalS * options.jitter) * Double(index) / Double(hosts.count)
                : 0
            due.push(index, at: start + .seconds(spread))
        }
        var inFlight = 0
        var finished = 0
        var pollCounts = Array(repeating: 0, count: hosts.count)
        var stopsRunning = 0
        let indexByName = Dictionary(
            uniqueKeysWithValues: hosts.enumerated().map { ($0.element.target.name, $0.offset) })

        while !shouldStop() {
            pruneEventLogMonths()
            if finished == hosts.count && stopsRunning == 0 && inFlight == 0 { break }
            let now = clock.now
            // At most a few polls per worker are queued or unhandled at once: answers waiting
            // for the loop hold parsed observations, and a big fleet must not pile them up.
            for index in due.popDue(now, limit: maxInFlight - inFlight) {
                inFlight += 1
                let target = hosts[index].target
                let policy = hosts[index].policy.detectors
                let poller = self.poller
                pollPool.submit { completions.push(.poll(poller.poll(target, policy: policy))) }
            }
            // With every slot taken, an overdue host cannot be submitted before a poll
            // completes: wait for a completion, not for its due time (which would spin).
            let wake =
                inFlight >= maxInFlight
                ? now + .milliseconds(250) : min(due.next ?? now + .milliseconds(250), now + .milliseconds(250))
            let batch: [Completion]
            if inFlight == 0 && stopsRunning == 0 {
                // Nothing can arrive before the next due poll: wait on the clock (a fake one jumps).
                clock.sleep(until: wake)
                batch = []
            } else {
                batch = completions.drain(waitingAtMost: wake - now)
            }
            if batch.isEmpty { continue }
            var stopsToStart: [() -> Void] = []
            for completion in batch {
                switch completion {
                case .poll(let poll):
                    inFlight -= 1
                    guard let index = indexByName[poll.host] else { continue }
                    let host = hosts[index]
                    let step = handle(poll)
                    for alert in step.autoStops where requestStop(host: host, alert: alert, at: poll.polledAt) {
                        stopsRunning += 1
                        let stopper = self.stopper
                        let confirmS = host.policy.autoStop.confirmS
                        stopsToStart.append {
                            stopPool.submit {
                                completions.push(
                                    .stop(host: poll.host, alert: alert, stopper.stop(host.target, confirmS: confirmS)))
                            }
                        }
                    }
                    pollCounts[index] += 1
                    if let cycles = options.cycles, pollCounts[index] >= cycles {
                        finished += 1
                    } else {
                        let interval = host.target.settings.pollIntervalS
                        let base = step.retryAfterS.map { min($0, interval) } ?? interval
                        // No jitter, no draw: a run without jitter needs no random source.
                        let jittered =
                            options.jitter == 0
                            ? base : base * (1 + options.jitter * (effects.random.unit() - 0.5))
                        due.push(index, at: clock.now + .seconds(max(0.05, jittered)))
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
        for completion in completions.drain(waitingAtMost: .zero) {
            switch completion {
            case .poll(let poll): _ = handle(poll)
            case .stop(let host, let alert, let outcome): recordStop(host: host, alert: alert, outcome: outcome)
            }
        }
        flush(startingStops: [])
        outputs.router?.finish()
        save(force: true)
    }

    /// Applies one poll to its host's monitor and acts on the step (except auto-stops).
    private func handle(_ poll: HostPoll) -> HostMonitor.Step {
        guard var monitor = monitors[poll.host] else { return HostMonitor.Step() }
        let input: HostMonitor.Input
        switch poll.outcome {
        case .measured(let observation, _): input = .measured(observation)
        case .unreachable(let failure): input = .unreachable(failure)
        case .unreadable: input = .unreadable
        }
        let step = monitor.observe(input, at: poll.polledAt)
        monitors[poll.host] = monitor
        for event in step.events { log(event) }
        for notification in step.notifications {
            let silence = outputs.router?.silence(for: notification)
            log(MonitorAlertEmitted(notification, silencedBy: silence?.id))
            if silence == nil, let router = outputs.router {
                router.route(notification)
                routed = true
            }
            report(.notification(notification, silencedBy: silence))
        }
        report(.polled(poll, monitor))
        return step
    }

    /// Whether a stop should run now; records and reports the ones that will not.
    private func requestStop(host: MonitoredHost, alert: Alert, at now: UTCInstant) -> Bool {
        if options.dryRun {
            report(
                .autoStop(host: host.target.name, alert: alert, .dryRun(command: AutoStopper.stopCommand(host.target))))
            return false
        }
        guard budget.admit(at: now) else {
            let plural = budget.limit == 1 ? "" : "s"
            let error =
                "not stopped: the fleet-wide cap of \(budget.limit) auto-stop\(plural) per 10 minutes is reached"
                + " (max_per_10m in [defaults.auto_stop])"
            log(MonitorAutoStopFailed(host: host.target.name, detector: alert.detector, error: error))
            report(.autoStop(host: host.target.name, alert: alert, .capped(limit: budget.limit)))
            return false
        }
        return true
    }

    private func recordStop(host: String, alert: Alert, outcome: AutoStopper.Outcome) {
        if outcome.confirmed {
            log(MonitorAutoStopTriggered(host: host, detector: alert.detector, elapsed: outcome.elapsed))
            report(.autoStop(host: host, alert: alert, .confirmed(elapsed: outcome.elapsed)))
        } else {
            let error = outcome.error ?? "not confirmed"
            log(MonitorAutoStopFailed(host: host, detector: alert.detector, error: error))
            report(.autoStop(host: host, alert: alert, .failed(error)))
        }
    }

    private func log(_ event: some TypedEvent) {
        guard let eventLog = outputs.eventLog else { return }
        do {
            try eventLog.append(event)
        } catch {
            report(.warning("cannot write the event log: \(error)"))
        }
    }

    /// Saves the state, then starts what it records: the hooks of this batch's notifications
    /// and its auto-stops. State first, so that a watcher killed at any point never notifies or
    /// stops twice for one episode after its restart (at worst, a kill in the moment between
    /// the save and the start loses that one hook call; the event log still has the alert).
    /// Without anything to start, the save is throttled to one per 500 ms.
    private func flush(startingStops stops: [() -> Void]) {
        save(force: routed || !stops.isEmpty)
        for start in stops { start() }
        if routed {
            routed = false
            outputs.router?.start()
        }
    }

    /// Deletes the event log's months past ``Outputs/eventLogMonths``, once a month.
    private func pruneEventLogMonths() {
        guard let log = outputs.eventLog, let retention = outputs.eventLogMonths else { return }
        let now = effects.wallClock.now()
        let month = Int(now.components.year) * 12 + now.components.month
        guard month != prunedMonth else { return }
        prunedMonth = month
        retention.prune(directory: log.directory, prefix: log.prefix, now: now)
    }

    /// Saves the state; at most twice a second unless forced (a 10,000-host state is megabytes).
    private func save(force: Bool) {
        guard let stateStore = outputs.stateStore else { return }
        let now = effects.clock.now
        if !force, let last = savedAt, now - last < .milliseconds(500) { return }
        savedAt = now
        var snapshot = WatchStateStore.Snapshot()
        snapshot.hosts = savedHosts
        for (name, monitor) in monitors { snapshot.hosts[name] = monitor.toJSON() }
        snapshot.autoStops = budget.recent
        do {
            let dropped = try stateStore.save(snapshot)
            if !dropped.isEmpty {
                report(
                    .warning(
                        "the watch state outgrew \(stateStore.maxFileBytes >> 20) MiB; saved without the alert state of "
                            + "\(dropped.joined(separator: ", ")), whose firing alerts will be notified again after a restart"
                    ))
            }
        } catch {
            report(.warning("cannot save the watch state to \(stateStore.path): \(error)"))
        }
    }
}
