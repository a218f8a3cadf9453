import FleetCore

/// One anomaly a detector found on one host. Detectors only describe; what happens next
/// (a hook, an auto-stop) is decided by alert state and policy, elsewhere.
public struct Alert: Sendable, Equatable {
    /// The detector's name (`oauth_fail`), one of ``DetectorNames/all``.
    public var detector: String
    public var severity: AlertSeverity
    public var message: String
    /// Structured details (`{"matches": 10, "window": 10}`), as the original prints with --json.
    public var context: JSONObject
    /// Identity of this episode: the same key on the next poll is the same alert, not a new one.
    public var key: String
    /// Whether the detector asks for the service to be stopped (honoured only if policy allows).
    public var requestsStop: Bool

    public init(
        detector: String, severity: AlertSeverity, message: String, context: JSONObject = JSONObject(),
        key: String? = nil, requestsStop: Bool = false
    ) {
        self.detector = detector
        self.severity = severity
        self.message = message
        self.context = context
        self.key = key ?? detector
        self.requestsStop = requestsStop
    }

    /// The one-line text form: `[CRIT] oauth_fail — 10/10 recent rounds failed auth`.
    public var line: String {
        "\(severity.tag) \(detector) — \(message)"
    }

    /// What to do about it (`context.hint`, e.g. the preset's `auth_fail_hint`), when the detector
    /// gave one: the part an operator woken at night needs most, so printers and hooks show it.
    public var hint: String? {
        guard case .string(let hint)? = context["hint"] else { return nil }
        let trimmed = hint.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    /// ``message`` followed by `; hint: <hint>` when there is a hint.
    public var messageWithHint: String {
        hint.map { "\(message); hint: \($0)" } ?? message
    }
}
