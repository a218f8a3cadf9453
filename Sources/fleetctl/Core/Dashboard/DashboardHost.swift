import Detectors
import FleetCore
import Monitoring

/// Everything the dashboard shows about one host: its latest row, and short histories the
/// terminal table has no room for (rounds, events, alert notifications, throttles, auto-stops).
///
/// Every history is bounded (``DashboardHost/historyLimit`` entries, event payloads cut to
/// ``DashboardHost/valueLimit`` characters): a fleet of 1,000 hosts watched for a month must
/// cost the same memory as one watched for a minute, and a host printing megabytes into an
/// event payload must not make the page megabytes.
public struct DashboardHost: Sendable, Equatable {
    public static let historyLimit = 30
    public static let valueLimit = 300

    /// A finished (or running) round, as the host reported it.
    public struct Round: Sendable, Equatable {
        public var number: Int
        public var phase: String?
        public var startedAt: String?
        public var durationS: Double?
        public var exitCode: Int?
        /// `ok`, `failed`, `timeout`, `running`.
        public var outcome: String
    }

    /// One of the host's newest events: kind, time and its payload as short `key: value` texts.
    public struct RecentEvent: Sendable, Equatable {
        public var ts: String
        public var kind: String
        public var fields: [(key: String, value: String)]

        public static func == (lhs: RecentEvent, rhs: RecentEvent) -> Bool {
            lhs.ts == rhs.ts && lhs.kind == rhs.kind && lhs.fields.elementsEqual(rhs.fields) { $0 == $1 }
        }
    }

    /// A notification the watch loop sent (or held back for a silence).
    public struct AlertEntry: Sendable, Equatable {
        public var at: UTCInstant
        public var detector: String
        public var severity: AlertSeverity
        /// `firing`, `repeat` or `resolved`.
        public var state: String
        public var message: String
        public var silencedBy: String?
    }

    /// A throttle the host reported: when the dashboard first and last saw it.
    public struct ThrottleEntry: Sendable, Equatable {
        public var text: String
        public var firstSeen: UTCInstant
        public var lastSeen: UTCInstant
        /// Still reported at the latest poll.
        public var active: Bool
    }

    /// A firing alert with the silence that held its last notification back, if any.
    public struct FiringAlert: Sendable, Equatable {
        public var alert: Alert
        public var since: UTCInstant
        public var silencedBy: String?
    }

    public var name: String
    public var groups: [String]
    public var pollIntervalS: Double
    /// Nil until the first poll answered (or failed).
    public var row: HostRow?
    public var polledAt: UTCInstant?
    public var polls = 0
    public var firing: [FiringAlert] = []
    /// The newest rounds and events as the host reported them, kept only while someone looks
    /// at the host's page (until ``detailsUntil``, poller clock) and turned into ``Round`` and
    /// ``RecentEvent`` only when the page asks (``recentRounds``, ``recentEvents``).
    ///
    /// Why not always: keeping 30 parsed events per host alive between polls made the watch
    /// loop over 1,000 hosts 40 % slower (fleet-bench `dashboard`: the allocator's work grows
    /// with what stays alive); the overview needs none of it.
    public var reportedRounds: [RoundSummary] = []
    public var reportedEvents: [Event] = []
    /// Unix time (poller clock) until which polls keep the rounds and events for a page.
    public var detailsUntil: Double = -.infinity
    /// Whether the rounds and events are from a poll made while the page was open.
    public var hasDetails = false
    public var alertHistory: [AlertEntry] = []
    public var throttleHistory: [ThrottleEntry] = []
    /// `auto-stop (detector): result` lines, newest last.
    public var autoStops: [String] = []

    public init(name: String, groups: [String], pollIntervalS: Double) {
        self.name = name
        self.groups = groups
        self.pollIntervalS = pollIntervalS
    }

    /// The colour of the host's row: `bad` (unreachable, unreadable, a critical alert), `warn`
    /// (a blip, a warning, throttled), `muted` (not polled yet, service stopped), `ok`.
    public var state: StateClass {
        guard let row else { return .muted }
        if row.reachability == "unreachable" || row.reachability == "unreadable" { return .bad }
        if row.worstSeverity == .critical { return .bad }
        if row.reachability == "blip" || row.worstSeverity == .warning || row.facts?.throttle != nil { return .warn }
        if row.facts?.service == "stopped" { return .muted }
        return .ok
    }

    /// Applies one poll and the monitor after it.
    mutating func apply(_ poll: HostPoll, monitor: HostMonitor) {
        row = HostRow(poll: poll, monitor: monitor)
        polledAt = poll.polledAt
        polls += 1
        let silences = Dictionary(
            firing.map { ($0.alert.key, $0.silencedBy) }, uniquingKeysWith: { first, _ in first })
        firing = monitor.firing.map {
            FiringAlert(alert: $0.alert, since: $0.since, silencedBy: silences[$0.alert.key] ?? nil)
        }
        if Seconds.epoch(poll.polledAt) < detailsUntil {
            if let observation = poll.observation {
                // Copies of the newest few, not slices: a slice keeps the poll's whole array alive.
                reportedRounds = Array(observation.rounds.suffix(Self.historyLimit))
                reportedEvents = Array(observation.events.suffix(Self.historyLimit))
                hasDetails = true
            }
        } else if hasDetails {
            reportedRounds = []
            reportedEvents = []
            hasDetails = false
        }
        recordThrottle(poll.facts?.throttle, at: poll.polledAt, measured: poll.observation != nil)
    }

    /// Records a notification: the history entry and the silence state of the firing alert.
    mutating func apply(_ notification: AlertNotification, silencedBy: String?) {
        let state = notification.state == .resolved ? "resolved" : notification.isRepeat ? "repeat" : "firing"
        alertHistory.append(
            AlertEntry(
                at: notification.at, detector: notification.alert.detector, severity: notification.alert.severity,
                state: state, message: Self.cut(notification.alert.message), silencedBy: silencedBy))
        if alertHistory.count > Self.historyLimit { alertHistory.removeFirst(alertHistory.count - Self.historyLimit) }
        if let index = firing.firstIndex(where: { $0.alert.key == notification.alert.key }) {
            firing[index].silencedBy = silencedBy
        } else if notification.state == .firing {
            firing.append(
                FiringAlert(alert: notification.alert, since: notification.since, silencedBy: silencedBy))
        }
    }

    /// The newest rounds, oldest first.
    public var recentRounds: [Round] { reportedRounds.map(Self.round) }

    /// The newest events, oldest first, payloads cut.
    public var recentEvents: [RecentEvent] { reportedEvents.map(Self.event) }

    mutating func recordAutoStop(_ line: String) {
        autoStops.append(Self.cut(line))
        if autoStops.count > Self.historyLimit { autoStops.removeFirst(autoStops.count - Self.historyLimit) }
    }

    private mutating func recordThrottle(_ text: String?, at now: UTCInstant, measured: Bool) {
        // An unreachable host says nothing about its throttle: keep the entry as it was.
        guard measured else { return }
        if let last = throttleHistory.last, last.active {
            if last.text == text {
                throttleHistory[throttleHistory.count - 1].lastSeen = now
                return
            }
            throttleHistory[throttleHistory.count - 1].active = false
        }
        guard let text else { return }
        throttleHistory.append(ThrottleEntry(text: text, firstSeen: now, lastSeen: now, active: true))
        if throttleHistory.count > Self.historyLimit {
            throttleHistory.removeFirst(throttleHistory.count - Self.historyLimit)
        }
    }

    static func round(_ summary: RoundSummary) -> Round {
        let outcome: String
        if !summary.hasExited {
            outcome = "running"
        } else if summary.isTimeout {
            outcome = "timeout"
        } else {
            outcome = summary.exitCode == 0 ? "ok" : "failed"
        }
        return Round(
            number: summary.roundNum, phase: summary.phase, startedAt: summary.startedAt,
            durationS: summary.durationS, exitCode: summary.exitCode, outcome: outcome)
    }

    /// The event with its payload in words, as the host's own page shows it (``EventPayloadText``:
    /// `duration_s: 2.0 s`, `timed_out: no`), the first 12 pairs, each cut.
    static func event(_ event: Event) -> RecentEvent {
        let fields = EventPayloadText.pairs(event.payload).prefix(12).map {
            (key: cut($0.key, limit: 60), value: cut($0.value))
        }
        return RecentEvent(ts: cut(event.ts, limit: 40), kind: cut(event.kind, limit: 60), fields: fields)
    }

    /// `text` cut to `limit` scalars (and 4 bytes a scalar) with an ellipsis.
    static func cut(_ text: String, limit: Int = valueLimit) -> String {
        guard text.unicodeScalars.count > limit || text.utf8.count > 4 * limit else { return text }
        return UTF8Clip.prefix(text, maxScalars: limit - 1, maxBytes: 4 * (limit - 1)) + "…"
    }
}
