import Detectors
import FleetCore

/// One host's alerting state across polls: pure, driven by poll results and a clock reading.
///
/// Per poll it runs the detectors (``DetectorSuite``) with the host's thresholds, then:
/// - **tolerance** (``RemoteFailureTolerance``): ssh failures inside `remote_failure_tolerance_s`
///   are blips (`monitor_remote_blip`, retried with back-off); past it the host is given up
///   (`monitor_remote_giveup`, and the `monitor_remote_giveup` alert fires); it recovers after
///   staying reachable for the settle time;
/// - **hold**: a detector's alert is *pending* until it has been present for `alert_for_s`,
///   and an alert that disappears while pending never notifies anyone;
/// - **episodes** (``AlertTracker``): firing → resolved, resolved only after firing;
///   a repeat reminder every `alert_repeat_s`;
/// - **unreachable suppresses**: while the host cannot be read, its other alerts neither
///   resolve nor repeat (stale data is no evidence), only its own give-up alert is notified;
/// - **auto-stop** (``AutoStopPlan``): a newly fired alert whose detector is in the host's
///   `auto_stop.on` asks for one stop per episode.
///
/// Performing anything (hooks, events, the stop) is the caller's job; the state round-trips
/// through ``toJSON()`` so a restarted fleetctl neither re-notifies nor re-stops.
public struct HostMonitor: Sendable {
    /// The name of the give-up alert's detector.
    public static let giveUpDetector = "monitor_remote_giveup"

    /// Whether the host could be read at the last poll.
    public enum Reachability: String, Sendable {
        /// Peek answered.
        case reachable
        /// An ssh failure inside the tolerance.
        case blip
        /// Given up: unreachable past the tolerance.
        case unreachable
        /// ssh worked, peek did not (broken or old agent-runner, noisy shell start-up).
        case unreadable
    }

    /// The poll result as the monitor sees it.
    public enum Input: Sendable {
        case measured(HostObservation)
        case unreachable(RemoteFailure)
        case unreadable
    }

    /// What one poll means.
    public struct Step: Sendable {
        public var notifications: [AlertNotification] = []
        public var events: [any TypedEvent] = []
        /// Alerts whose stop the caller should perform now (new episodes only).
        public var autoStops: [Alert] = []
        /// After a blip: retry after this many seconds instead of the poll interval.
        public var retryAfterS: Double?
        public init() {}
    }

    public let host: String
    public var policy: MonitorPolicy
    public var suite: DetectorSuite = .standard
    public private(set) var tracker: AlertTracker
    public private(set) var tolerance: RemoteFailureTolerance
    public private(set) var reachability: Reachability = .reachable
    /// Pending alerts (not yet held long enough): key → Unix time first seen.
    public private(set) var pending: [String: Double] = [:]
    private var lastNotified: [String: Double] = [:]
    private var autoStopped: Set<String> = []

    public init(host: String, policy: MonitorPolicy) {
        self.host = host
        self.policy = policy
        tracker = AlertTracker()
        tolerance = RemoteFailureTolerance(toleranceS: policy.toleranceS, settleS: policy.settleS)
    }

    /// Firing alerts, oldest episode first.
    public var firing: [AlertTracker.FiringAlert] { tracker.firing }

    /// Applies one poll made at `now` (poller clock).
    public mutating func observe(_ input: Input, at now: UTCInstant) -> Step {
        let time = Seconds.epoch(now)
        var step = Step()
        var transitions: [AlertTransition]
        var episodeStart = [String: UTCInstant](minimumCapacity: tracker.firing.count)
        for entry in tracker.firing { episodeStart[entry.key] = entry.since }
        switch input {
        case .measured(let observation):
            _ = tolerance.record(.success, at: time)
            reachability = .reachable
            var firingByKey = [String: Alert](minimumCapacity: tracker.firing.count)
            for entry in tracker.firing { firingByKey[entry.key] = entry.alert }
            let report = suite.run(
                observation, settings: DetectorSettings(policy: policy.detectors, firing: firingByKey))
            for failure in report.errors { step.events.append(DetectorErrorEvent(failure, host: host)) }
            var candidates = report.alerts
            if let giveUp = tolerance.activeAlert(host: host) { candidates.append(giveUp) }
            transitions = tracker.record(.measured(admit(candidates, at: time)), at: now)
        case .unreachable(let failure):
            switch tolerance.record(.failure(failure), at: time) {
            case .blip(let blip):
                step.events.append(MonitorRemoteBlip(host: host, blip: blip))
                step.retryAfterS = blip.nextSleepS
            case .giveUp(let giveUp):
                step.events.append(MonitorRemoteGiveup(host: host, giveUp: giveUp))
            default:
                break
            }
            reachability = tolerance.givenUp ? .unreachable : .blip
            transitions = tracker.record(
                .unreachable(extra: tolerance.activeAlert(host: host).map { [$0] } ?? []), at: now)
        case .unreadable:
            _ = tolerance.record(.success, at: time)
            reachability = .unreadable
            transitions = tracker.record(
                .unreachable(extra: tolerance.activeAlert(host: host).map { [$0] } ?? []), at: now)
        }

        var firedKeys = Set<String>()
        for transition in transitions {
            switch transition {
            case .fired(let alert):
                firedKeys.insert(alert.key)
                lastNotified[alert.key] = time
                step.notifications.append(
                    AlertNotification(
                        host: host, alert: alert, state: .firing, since: now, at: now, autoAction: autoAction(alert)))
            case .resolved(let alert):
                lastNotified.removeValue(forKey: alert.key)
                let since = episodeStart[alert.key] ?? now
                autoStopped.remove(alert.key)
                step.notifications.append(
                    AlertNotification(
                        host: host, alert: alert, state: .resolved, since: since, at: now, autoAction: autoAction(alert)
                    ))
            }
        }
        if policy.repeatS > 0 {
            let readable = reachability == .reachable
            for entry in tracker.firing
            where !firedKeys.contains(entry.key) && (readable || entry.alert.detector == Self.giveUpDetector) {
                let last = lastNotified[entry.key] ?? Seconds.epoch(entry.since)
                if time - last >= policy.repeatS {
                    lastNotified[entry.key] = time
                    step.notifications.append(
                        AlertNotification(
                            host: host, alert: entry.alert, state: .firing, isRepeat: true,
                            since: entry.since, at: now, autoAction: autoAction(entry.alert)))
                }
            }
        }
        for alert in AutoStopPlan(transitions: transitions, policy: policy.autoStop).triggers
        where autoStopped.insert(alert.key).inserted {
            step.autoStops.append(alert)
        }
        return step
    }

    /// The alerts that pass the hold: already firing, the give-up alert, or pending long enough.
    private mutating func admit(_ candidates: [Alert], at time: Double) -> [Alert] {
        var admitted: [Alert] = []
        var present = Set<String>()
        for alert in candidates {
            present.insert(alert.key)
            if policy.holdS <= 0 || alert.detector == Self.giveUpDetector || tracker.isFiring(alert.key) {
                admitted.append(alert)
                continue
            }
            let first = pending[alert.key] ?? time
            pending[alert.key] = first
            if time - first >= policy.holdS { admitted.append(alert) }
        }
        let admittedKeys = Set(admitted.map(\.key))
        pending = pending.filter { present.contains($0.key) && !admittedKeys.contains($0.key) }
        return admitted
    }

    private func autoAction(_ alert: Alert) -> String {
        alert.requestsStop && policy.autoStop.enabled && policy.autoStop.on.contains(alert.detector)
            ? "stop_service" : "none"
    }

    // MARK: Persistence

    /// `{tracker, episode, pending, last_notified, auto_stopped}`; times are Unix seconds.
    public func toJSON() -> JSONValue {
        var pendingObject = JSONObject()
        for (key, time) in pending.sorted(by: { $0.key < $1.key }) { pendingObject[key] = .double(time) }
        var notified = JSONObject()
        for (key, time) in lastNotified.sorted(by: { $0.key < $1.key }) { notified[key] = .double(time) }
        return [
            "tracker": tracker.toJSON(),
            "episode": tolerance.episode?.toJSON() ?? .null,
            "pending": .object(pendingObject),
            "last_notified": .object(notified),
            "auto_stopped": .array(autoStopped.sorted().map { .string($0) }),
        ]
    }

    /// Restores ``toJSON()`` output under `policy` (which may have changed since: thresholds
    /// apply from the next poll on).
    public init(host: String, policy: MonitorPolicy, json: JSONValue) throws(AlertStateError) {
        self.init(host: host, policy: policy)
        guard let trackerJSON = json["tracker"] else { throw AlertStateError("host \(host): no 'tracker'") }
        tracker = try AlertTracker(json: trackerJSON)
        let episode = json["episode"].flatMap(RemoteFailureTolerance.Episode.init(json:))
        tolerance = RemoteFailureTolerance(toleranceS: policy.toleranceS, settleS: policy.settleS, restoring: episode)
        if tolerance.givenUp { reachability = .unreachable }
        for (key, value) in json["pending"]?.objectValue ?? [:] {
            if let time = value.doubleValue { pending[key] = time }
        }
        for (key, value) in json["last_notified"]?.objectValue ?? [:] {
            if let time = value.doubleValue { lastNotified[key] = time }
        }
        for value in json["auto_stopped"]?.arrayValue ?? [] {
            if let key = value.stringValue { autoStopped.insert(key) }
        }
    }
}
