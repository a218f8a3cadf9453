import Detectors
import FleetCore

/// How every monitor prints an alert: `fleetctl watch` (and `demo`), `agent-runner monitor
/// --host` and the local `agent-runner monitor`. One formatter instead of a printer per
/// frontend, so a change to one form is made (and tested) once.
///
/// Two forms, both kept byte for byte because scripts read them:
/// - ``Form/fleet``: `[CRIT] pi oauth_fail — 10/10 rounds failed auth; hint: run claude login`
///   (the hint when the detector gave one, ``Alert/hint``), with `(still firing)` on
///   a repeat, `[OK] pi oauth_fail resolved — was: ...`, and the silence that muted it; JSON is
///   the hook payload (``AlertNotification/json()``) typed `alert`, with `silenced_by`.
/// - ``Form/original``: the 0.3.14 monitor's `[CRIT] oauth_fail — ...` and `[OK] oauth_fail
///   resolved`; JSON `{severity, detector, message, context, ts, auto_action}`, followed by
///   `host` and `state` when the monitor watches a remote host.
public struct AlertFormatter: Sendable, Equatable {
    public enum Form: Sendable, Equatable {
        case fleet
        case original(namesHost: Bool)
    }

    public var form: Form

    public init(_ form: Form) {
        self.form = form
    }

    /// The text line (no newline), through the one sanitizer: the message, detector context and
    /// silence reason quote hosts, and nothing they hold may drive the terminal or break the line.
    public func line(_ notification: AlertNotification, silence: AlertSilence? = nil) -> String {
        TerminalText.sanitize(unsanitizedLine(notification, silence: silence))
    }

    private func unsanitizedLine(_ notification: AlertNotification, silence: AlertSilence?) -> String {
        let alert = notification.alert
        switch (form, notification.state) {
        case (.fleet, .firing):
            let still = notification.isRepeat ? " (still firing)" : ""
            return "\(alert.severity.tag) \(notification.host) \(alert.detector)\(still) — \(alert.messageWithHint)"
                + Self.silenceSuffix(silence)
        case (.fleet, .resolved):
            return "[OK] \(notification.host) \(alert.detector) resolved — was: \(alert.message)"
                + Self.silenceSuffix(silence)
        case (.original, .firing):
            return Self.originalLine(alert)
        case (.original, .resolved):
            return "[OK] \(alert.detector) resolved"
        }
    }

    /// The JSON Lines object.
    public func json(_ notification: AlertNotification, silence: AlertSilence? = nil) -> JSONObject {
        switch form {
        case .fleet:
            var object: JSONObject = ["type": "alert"]
            for (key, value) in notification.json() { object[key] = value }
            object["silenced_by"] = silence.map { .string($0.id) } ?? .null
            return object
        case .original(let namesHost):
            var object = Self.originalJSON(
                notification.alert, ts: EventTimestamp.format(notification.at),
                autoAction: notification.autoAction)
            if namesHost {
                object["host"] = .string(notification.host)
                object["state"] = .string(notification.state.rawValue)
            }
            return object
        }
    }

    /// The original monitor's line for a newly firing alert: `[CRIT] oauth_fail — ...`.
    public static func originalLine(_ alert: Alert) -> String {
        TerminalText.sanitize(alert.line)
    }

    /// The original monitor's `--json` object: `{severity, detector, message, context, ts, auto_action}`.
    public static func originalJSON(_ alert: Alert, ts: String, autoAction: String) -> JSONObject {
        [
            "severity": .string(alert.severity.rawValue), "detector": .string(alert.detector),
            "message": .string(alert.message), "context": .object(alert.context), "ts": .string(ts),
            "auto_action": .string(autoAction),
        ]
    }

    private static func silenceSuffix(_ silence: AlertSilence?) -> String {
        silence.map { " (silenced by \($0.id): \($0.reason))" } ?? ""
    }
}
