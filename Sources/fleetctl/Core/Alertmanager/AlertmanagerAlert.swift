import FleetCore
import Monitoring

/// One alert as Alertmanager's v2 API takes it (`POST /api/v2/alerts`, a JSON array of these):
/// `{labels: {alertname, host, detector, severity, group[, alert_key]}, annotations: {summary,
/// description[, hint][, auto_action]}, startsAt, endsAt?}`. Alertmanager identifies an alert by its labels, so they
/// hold only what is stable for an episode; the message (which changes) is an annotation.
public struct AlertmanagerAlert: Sendable, Equatable {
    public var labels: [(String, String)]
    public var annotations: [(String, String)]
    public var startsAt: UTCInstant
    /// Set when the episode resolved: Alertmanager then shows it resolved at once.
    public var endsAt: UTCInstant?

    /// The alert for `notification`; `group` is the host's inventory groups joined by commas.
    public init(notification: AlertNotification, group: String) {
        let alert = notification.alert
        labels = [
            ("alertname", alert.detector), ("host", notification.host), ("detector", alert.detector),
            ("severity", alert.severity.rawValue), ("group", group),
        ]
        // Two episodes of one detector on one host (disk_warning for two mounts) differ by key.
        if alert.key != alert.detector { labels.append(("alert_key", alert.key)) }
        annotations = [
            ("summary", "\(notification.host): \(alert.detector) (\(alert.severity.rawValue))"),
            ("description", alert.message),
        ]
        if let hint = alert.hint { annotations.append(("hint", hint)) }
        if notification.autoAction != "none" { annotations.append(("auto_action", notification.autoAction)) }
        startsAt = notification.since
        endsAt = notification.state == .resolved ? notification.at : nil
    }

    /// The identity Alertmanager uses: the label set.
    public var identity: String {
        labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
    }

    public func json() -> JSONValue {
        var object = JSONObject([
            ("labels", .object(JSONObject(labels.map { ($0.0, JSONValue.string($0.1)) }))),
            ("annotations", .object(JSONObject(annotations.map { ($0.0, JSONValue.string($0.1)) }))),
            ("startsAt", .string(EventTimestamp.format(startsAt))),
        ])
        if let endsAt { object["endsAt"] = .string(EventTimestamp.format(endsAt)) }
        return .object(object)
    }

    /// The request body for `alerts`.
    public static func body(_ alerts: [AlertmanagerAlert]) -> [UInt8] {
        JSONWriter(style: .compact).encode(.array(alerts.map { $0.json() }))
    }

    /// `BASE/api/v2/alerts` from the hook's `url` (a URL already ending in it is kept).
    public static func endpoint(_ url: String) -> String {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        return base.hasSuffix("/api/v2/alerts") ? base : base + "/api/v2/alerts"
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.labels.elementsEqual(rhs.labels, by: ==) && lhs.annotations.elementsEqual(rhs.annotations, by: ==)
            && lhs.startsAt == rhs.startsAt && lhs.endsAt == rhs.endsAt
    }
}
