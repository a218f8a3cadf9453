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

    /// Most bytes of a message: the alert line, the hook's `{message}` and `FLEET_MESSAGE`.
    public static let maxMessageBytes = 2048
    /// Most bytes of a key; a longer one keeps its start and a digest of the whole, so two
    /// alerts never share a cut key.
    public static let maxKeyBytes = 512
    /// Most bytes of a string in the context, and of the whole context as compact JSON.
    public static let maxContextStringBytes = 512
    public static let maxContextBytes = 8192

    /// The alert, its text bounded in bytes (``maxMessageBytes``, ``maxKeyBytes``, the context
    /// limits): an alert is printed, passed to hooks and persisted in the watch state, and a
    /// host must not be able to make any of them unbounded (its text reaches detectors from peek).
    public init(
        detector: String, severity: AlertSeverity, message: String, context: JSONObject = JSONObject(),
        key: String? = nil, requestsStop: Bool = false
    ) {
        self.detector = detector
        self.severity = severity
        self.message = UTF8Clip.clip(message, maxBytes: Self.maxMessageBytes)
        self.context = Self.bounded(context)
        self.key = Self.bounded(key: key ?? detector)
        self.requestsStop = requestsStop
    }

    static func bounded(key: String) -> String {
        guard key.utf8.count > maxKeyBytes else { return key }
        let digest = SHA256.hex(of: Array(key.utf8)).prefix(16)
        return UTF8Clip.prefix(key, maxBytes: maxKeyBytes - 17) + "#" + digest
    }

    static func bounded(_ context: JSONObject) -> JSONObject {
        let clipped = clipStrings(.object(context), depth: 0)
        let size = JSONWriter(style: .compact).encode(clipped).count
        guard size > maxContextBytes else { return clipped.objectValue ?? JSONObject() }
        return ["context_omitted_bytes": .int(Int64(size))]
    }

    private static func clipStrings(_ value: JSONValue, depth: Int) -> JSONValue {
        switch value {
        case .string(let text): return .string(UTF8Clip.clip(text, maxBytes: maxContextStringBytes))
        case .array(let elements) where depth < 8: return .array(elements.map { clipStrings($0, depth: depth + 1) })
        case .object(let members) where depth < 8:
            var object = JSONObject()
            for (key, member) in members {
                object[UTF8Clip.clip(key, maxBytes: maxContextStringBytes)] = clipStrings(member, depth: depth + 1)
            }
            return .object(object)
        case .array, .object: return .null
        default: return value
        }
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
