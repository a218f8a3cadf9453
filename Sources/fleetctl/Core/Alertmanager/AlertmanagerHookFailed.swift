import FleetCore

/// `hook_failed` for a `kind = "alertmanager"` hook: a batch of alerts Alertmanager did not take
/// after its retries, or that found the queue full. A batch may hold several hosts, detectors
/// and states: each is the distinct values joined by commas, in name order.
public struct AlertmanagerHookFailed: TypedEvent {
    public static let kind = EventKind.hookFailed
    public static let fields: [EventField<Self>] = [
        .string("hook", \.hook),
        .constant("kind", "alertmanager"),
        .string("url", \.url),
        EventField("host", type: "str") { .string($0.hosts.joined(separator: ",")) },
        EventField("detector", type: "str") { .string($0.detectors.joined(separator: ",")) },
        EventField("state", type: "str") { .string($0.states.joined(separator: ",")) },
        .int("alerts", \.alerts),
        .int("attempts", \.attempts),
        .string("error", \.error),
    ]

    public var hook: String
    /// The `/api/v2/alerts` endpoint posted to.
    public var url: String
    public var hosts: [String]
    public var detectors: [String]
    /// `firing`, `resolved`.
    public var states: [String]
    /// Alerts in the batch.
    public var alerts: Int
    public var attempts: Int
    public var error: String

    public init(
        hook: String, url: String, hosts: [String], detectors: [String], states: [String], alerts: Int,
        attempts: Int, error: String
    ) {
        self.hook = hook
        self.url = url
        self.hosts = hosts
        self.detectors = detectors
        self.states = states
        self.alerts = alerts
        self.attempts = attempts
        self.error = error
    }
}
