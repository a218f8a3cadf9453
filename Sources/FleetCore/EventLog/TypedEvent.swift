/// One kind of event as a Swift value that owns its payload keys.
///
/// Each key is spelled once, in the type's ``fields``; writers build the value through its
/// memberwise initialiser, so the compiler checks every call site, and docs/events.md and its
/// drift test read the same ``fields`` to list each kind's payload. Before, ~90 payloads were
/// spelled inline as `JSONObject([("key", …)])` and the same event was written with two shapes.
///
/// ```swift
/// struct AgentExit: TypedEvent {
///     static let kind = EventKind.agentExit
///     static let fields: [EventField<Self>] = [.int("round_num", \.roundNum), .double("duration_s", \.durationS)]
///     var roundNum: Int
///     var durationS: Double
/// }
/// ```
public protocol TypedEvent: Sendable {
    /// The kind this value is written as.
    static var kind: EventKind { get }
    /// The payload's fields in writing order.
    static var fields: [EventField<Self>] { get }
}

extension TypedEvent {
    /// The payload as written: each field in order; fields whose value is absent are left out.
    public var payload: JSONObject {
        var object = JSONObject()
        for field in Self.fields {
            if let value = field.value(self) { object[field.key] = value }
        }
        return object
    }

    /// The payload's keys and their types, for docs and drift tests.
    public static var schema: EventSchema {
        EventSchema(kind: kind, fields: fields.map { EventSchema.Field(key: $0.key, type: $0.type) })
    }
}

/// One payload key of a ``TypedEvent``: its name, its type as docs/events.md shows it, and how
/// to read its value from the event.
public struct EventField<Event>: Sendable {
    public let key: String
    /// `int`, `float`, `str`, `bool`, `[str]`, `object`, with `|null` when it may be null and
    /// `?` when it may be left out.
    public let type: String
    let value: @Sendable (Event) -> JSONValue?

    /// A field of any type; `value` returns nil to leave the key out.
    public init(_ key: String, type: String, _ value: @escaping @Sendable (Event) -> JSONValue?) {
        self.key = key
        self.type = type
        self.value = value
    }

    public static func int(_ key: String, _ path: any KeyPath<Event, Int> & Sendable) -> Self {
        Self(key, type: "int") { .int(Int64($0[keyPath: path])) }
    }

    public static func int(_ key: String, _ path: any KeyPath<Event, Int64> & Sendable) -> Self {
        Self(key, type: "int") { .int($0[keyPath: path]) }
    }

    public static func int(_ key: String, _ path: any KeyPath<Event, Int?> & Sendable) -> Self {
        Self(key, type: "int|null") { $0[keyPath: path].map { .int(Int64($0)) } ?? .null }
    }

    public static func int(_ key: String, _ path: any KeyPath<Event, Int64?> & Sendable) -> Self {
        Self(key, type: "int|null") { $0[keyPath: path].map { .int($0) } ?? .null }
    }

    public static func double(_ key: String, _ path: any KeyPath<Event, Double> & Sendable) -> Self {
        Self(key, type: "float") { .double($0[keyPath: path]) }
    }

    public static func double(_ key: String, _ path: any KeyPath<Event, Double?> & Sendable) -> Self {
        Self(key, type: "float|null") { $0[keyPath: path].map { .double($0) } ?? .null }
    }

    public static func string(_ key: String, _ path: any KeyPath<Event, String> & Sendable) -> Self {
        Self(key, type: "str") { .string($0[keyPath: path]) }
    }

    public static func string(_ key: String, _ path: any KeyPath<Event, String?> & Sendable) -> Self {
        Self(key, type: "str|null") { $0[keyPath: path].map { .string($0) } ?? .null }
    }

    public static func bool(_ key: String, _ path: any KeyPath<Event, Bool> & Sendable) -> Self {
        Self(key, type: "bool") { .bool($0[keyPath: path]) }
    }

    public static func strings(_ key: String, _ path: any KeyPath<Event, [String]> & Sendable) -> Self {
        Self(key, type: "[str]") { .array($0[keyPath: path].map { .string($0) }) }
    }

    public static func json(_ key: String, type: String, _ path: any KeyPath<Event, JSONValue> & Sendable) -> Self {
        Self(key, type: type) { $0[keyPath: path] }
    }

    /// A key written only when the value is present (the key is absent otherwise, not null).
    public static func optionalString(_ key: String, _ path: any KeyPath<Event, String?> & Sendable) -> Self {
        Self(key, type: "str?") { $0[keyPath: path].map { .string($0) } }
    }

    /// A key with a constant value (`mode: "anomaly-only"`).
    public static func constant(_ key: String, _ value: String) -> Self {
        Self(key, type: "str") { _ in .string(value) }
    }
}

/// A kind's payload keys and types, as docs/events.md lists them.
public struct EventSchema: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var key: String
        public var type: String
    }

    public var kind: EventKind
    public var fields: [Field]

    /// `key:type, key:type`, the way docs/events.md writes a payload.
    public var payloadText: String {
        fields.isEmpty ? "(none)" : fields.map { "`\($0.key):\($0.type)`" }.joined(separator: ", ")
    }
}

extension EventLogWriter {
    /// Appends a typed event.
    @discardableResult
    public func append(_ event: some TypedEvent, at instant: UTCInstant? = nil) throws -> String {
        try append(type(of: event).kind, event.payload, at: instant)
    }
}

extension TypedEvent {
    /// The kind of this value (``kind`` of its type), for code holding `any TypedEvent`.
    public var eventKind: EventKind { Self.kind }
}
