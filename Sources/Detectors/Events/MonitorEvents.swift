import FleetCore

// The events every monitor writes: `agent-runner monitor` (local and --host) and `fleetctl
// watch`. They live beside the alerts they report so both programs share one definition of
// each payload (before, the local monitor and the watch loop wrote `monitor_alert_emitted`
// with two different shapes).

/// `monitor_started`: a monitor loop began. The original writes `host: null, interval_s,
/// log_dir, mode`; a fleet watch adds `hosts`, a one-host watch names its `host`.
public struct MonitorStarted: TypedEvent {
    public static let kind = EventKind.monitorStarted
    public static let fields: [EventField<Self>] = [
        .string("host", \.host),
        EventField("hosts", type: "int?") { $0.hosts.map { .int(Int64($0)) } },
        EventField("interval_s", type: "int|float?") { $0.intervalS.map(JSONValue.wholeOrFraction) },
        .string("log_dir", \.logDir),
        .string("mode", \.mode),
    ]

    public var host: String?
    public var hosts: Int?
    public var intervalS: Double?
    public var logDir: String?
    public var mode: String

    public init(host: String?, hosts: Int? = nil, intervalS: Double? = nil, mode: String, logDir: String?) {
        self.host = host
        self.hosts = hosts
        self.intervalS = intervalS
        self.mode = mode
        self.logDir = logDir
    }
}

/// `monitor_alert_emitted`: an alert fired, resolved or was repeated. The original's four keys
/// (`detector, severity, message, auto_action`) come first, so its readers find what they
/// expect; `host` is null for a local monitor.
public struct MonitorAlertEmitted: TypedEvent {
    public static let kind = EventKind.monitorAlertEmitted
    public static let fields: [EventField<Self>] = [
        .string("host", \.host),
        .string("detector", \.alert.detector),
        .string("severity", \.alert.severity.rawValue),
        .string("message", \.alert.message),
        .string("auto_action", \.autoAction),
        .string("state", \.state),
        .bool("repeat", \.isRepeat),
        .string("key", \.alert.key),
        EventField("context", type: "object") { .object($0.alert.context) },
        .optionalString("silenced_by", \.silencedBy),
    ]

    public var host: String?
    public var alert: Alert
    /// `stop_service` when the alert stops the service, else `none`.
    public var autoAction: String
    /// `firing` or `resolved`.
    public var state: String
    public var isRepeat: Bool
    /// The id of the silence that muted it (no hook ran).
    public var silencedBy: String?

    public init(
        host: String?, alert: Alert, autoAction: String, state: String = "firing", isRepeat: Bool = false,
        silencedBy: String? = nil
    ) {
        self.host = host
        self.alert = alert
        self.autoAction = autoAction
        self.state = state
        self.isRepeat = isRepeat
        self.silencedBy = silencedBy
    }
}

/// `monitor_auto_stop_triggered`: the service stopped on an alert, confirmed. A fleet watch
/// names the host and says how long the confirmation took.
public struct MonitorAutoStopTriggered: TypedEvent {
    public static let kind = EventKind.monitorAutoStopTriggered
    public static let fields: [EventField<Self>] = [
        .optionalString("host", \.host),
        .string("detector", \.detector),
        EventField("confirmed", type: "bool?") { $0.elapsed == nil ? nil : .bool(true) },
        EventField("elapsed_s", type: "float?") { $0.elapsed.map { .double(($0.seconds * 1000).rounded() / 1000) } },
    ]

    public var host: String?
    public var detector: String
    public var elapsed: Duration?

    public init(host: String? = nil, detector: String, elapsed: Duration? = nil) {
        self.host = host
        self.detector = detector
        self.elapsed = elapsed
    }
}

/// `monitor_auto_stop_failed`: the stop an alert asked for was refused, failed or not confirmed.
public struct MonitorAutoStopFailed: TypedEvent {
    public static let kind = EventKind.monitorAutoStopFailed
    public static let fields: [EventField<Self>] = [
        .optionalString("host", \.host),
        .string("detector", \.detector),
        .string("error", \.error),
    ]

    public var host: String?
    public var detector: String
    public var error: String

    public init(host: String? = nil, detector: String, error: String) {
        self.host = host
        self.detector = detector
        self.error = error
    }
}

/// `monitor_remote_blip` (0.3.14 shape): an ssh failure inside the tolerance; retried.
/// `next_sleep_s` is an int when it is a whole back-off step and a float when cut by the
/// tolerance, as the original writes it.
public struct MonitorRemoteBlip: TypedEvent {
    public static let kind = EventKind.monitorRemoteBlip
    public static let fields: [EventField<Self>] = [
        .string("host", \.host),
        .int("returncode", \.blip.failure.returncode),
        .string("error", \.blip.failure.stderrTail),
        .int("attempt", \.blip.attempt),
        .double("elapsed_s", \.blip.elapsedS),
        .int("cap_s", \.blip.capS),
        .string("resume_since", \.resumeSince),
        EventField("next_sleep_s", type: "int|float") {
            $0.blip.sleepIsBackoffStep ? .int(Int64($0.blip.nextSleepS)) : .double($0.blip.nextSleepS)
        },
    ]

    public var host: String
    public var blip: RemoteBlip
    /// The timestamp a relay resumes from (`--since`); null for a poller.
    public var resumeSince: String?

    public init(host: String, blip: RemoteBlip, resumeSince: String? = nil) {
        self.host = host
        self.blip = blip
        self.resumeSince = resumeSince
    }
}

/// `monitor_remote_giveup` (0.3.14 shape): unreachable past the tolerance, once per episode.
public struct MonitorRemoteGiveup: TypedEvent {
    public static let kind = EventKind.monitorRemoteGiveup
    public static let fields: [EventField<Self>] = [
        .string("host", \.host),
        .int("returncode", \.giveUp.finalError.returncode),
        .int("total_attempts", \.giveUp.totalAttempts),
        .double("total_elapsed_s", \.giveUp.totalElapsedS),
        .int("cap_s", \.giveUp.capS),
        .string("final_error", \.giveUp.finalError.stderrTail),
        .string("resume_since", \.resumeSince),
    ]

    public var host: String
    public var giveUp: RemoteGiveUp
    public var resumeSince: String?

    public init(host: String, giveUp: RemoteGiveUp, resumeSince: String? = nil) {
        self.host = host
        self.giveUp = giveUp
        self.resumeSince = resumeSince
    }
}

/// `detector_error`: a detector threw; the others still ran. A fleet watch names the host.
public struct DetectorErrorEvent: TypedEvent {
    public static let kind = EventKind.detectorError
    public static let fields: [EventField<Self>] = [
        .string("detector", \.failure.detector),
        .string("error", \.failure.message),
        .optionalString("host", \.host),
    ]

    public var failure: DetectorFailure
    public var host: String?

    public init(_ failure: DetectorFailure, host: String? = nil) {
        self.failure = failure
        self.host = host
    }
}

/// The monitor events, for docs/events.md and its drift test.
public enum MonitorEvents {
    public static let all: [any TypedEvent.Type] = [
        MonitorStarted.self, MonitorAlertEmitted.self, MonitorAutoStopTriggered.self, MonitorAutoStopFailed.self,
        MonitorRemoteBlip.self, MonitorRemoteGiveup.self, DetectorErrorEvent.self,
    ]
}
