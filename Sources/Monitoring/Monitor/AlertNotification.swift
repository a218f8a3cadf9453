import Detectors
import FleetCore

/// One message about an alert episode, for hooks, the event log and the operator's screen.
public struct AlertNotification: Sendable, Equatable {
    public enum State: String, Sendable {
        /// The episode started (or, with ``isRepeat``, is still going on).
        case firing
        /// The episode ended; sent only for episodes that fired.
        case resolved
    }

    public var host: String
    public var alert: Alert
    public var state: State
    /// A reminder for an alert still firing after `alert_repeat_s`.
    public var isRepeat: Bool
    /// When the episode fired.
    public var since: UTCInstant
    /// When this notification was made (poller clock).
    public var at: UTCInstant
    /// `stop_service` when the host's policy auto-stops on this detector, else `none`.
    public var autoAction: String

    public init(
        host: String, alert: Alert, state: State, isRepeat: Bool = false, since: UTCInstant, at: UTCInstant,
        autoAction: String = "none"
    ) {
        self.host = host
        self.alert = alert
        self.state = state
        self.isRepeat = isRepeat
        self.since = since
        self.at = at
        self.autoAction = autoAction
    }

    /// The JSON object hooks get on stdin and `watch --json` prints:
    /// `{host, state, repeat, detector, severity, message, context, key, since, ts, auto_action}`.
    public func json() -> JSONObject {
        [
            "host": .string(host),
            "state": .string(state.rawValue),
            "repeat": .bool(isRepeat),
            "detector": .string(alert.detector),
            "severity": .string(alert.severity.rawValue),
            "message": .string(alert.message),
            "context": .object(alert.context),
            "key": .string(alert.key),
            "since": .string(EventTimestamp.format(since)),
            "ts": .string(EventTimestamp.format(at)),
            "auto_action": .string(autoAction),
        ]
    }
}

extension MonitorAlertEmitted {
    /// The event a watch loop writes for `notification`.
    public init(_ notification: AlertNotification, silencedBy: String?) {
        self.init(
            host: notification.host, alert: notification.alert, autoAction: notification.autoAction,
            state: notification.state.rawValue, isRepeat: notification.isRepeat, silencedBy: silencedBy)
    }
}
