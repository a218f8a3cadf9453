import FleetCore

/// An operator's "I know, stop telling me": mutes hooks for some hosts (and optionally one
/// detector) until a time. Alerts still fire, are logged (marked silenced) and still
/// auto-stop: a silence is about notifications, not about what is safe to leave running.
public struct Silence: Sendable, Equatable {
    public var id: String
    /// The selector as typed (`@edge`, `pi-*`), for display.
    public var selector: String
    /// The hosts the selector named when the silence was made.
    public var hosts: [String]
    /// Only this detector, or every detector when nil.
    public var detector: String?
    public var createdAt: UTCInstant
    public var until: UTCInstant
    public var reason: String

    public init(
        id: String, selector: String, hosts: [String], detector: String?, createdAt: UTCInstant, until: UTCInstant,
        reason: String
    ) {
        self.id = id
        self.selector = selector
        self.hosts = hosts
        self.detector = detector
        self.createdAt = createdAt
        self.until = until
        self.reason = reason
    }

    /// Whether this silence mutes `detector` on `host` at `now`.
    public func mutes(host: String, detector: String, at now: UTCInstant) -> Bool {
        now < until && hosts.contains(host) && (self.detector == nil || self.detector == detector)
    }

    public func json() -> JSONValue {
        [
            "id": .string(id), "selector": .string(selector), "hosts": .array(hosts.map { .string($0) }),
            "detector": detector.map(JSONValue.string) ?? .null,
            "created_at": .string(EventTimestamp.format(createdAt)), "until": .string(EventTimestamp.format(until)),
            "reason": .string(reason),
        ]
    }

    public init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let selector = json["selector"]?.stringValue,
            let hosts = json["hosts"]?.arrayValue?.compactMap(\.stringValue),
            let created = json["created_at"]?.stringValue.flatMap(EventTimestamp.parse),
            let until = json["until"]?.stringValue.flatMap(EventTimestamp.parse),
            let reason = json["reason"]?.stringValue
        else { return nil }
        self.init(
            id: id, selector: selector, hosts: hosts, detector: json["detector"]?.stringValue, createdAt: created,
            until: until, reason: reason)
    }
}

/// The silences in force, as kept in `silences.json` in the state directory.
public struct SilenceList: Sendable, Equatable {
    public private(set) var silences: [Silence]

    public init(_ silences: [Silence] = []) {
        self.silences = silences
    }

    /// The first silence muting `detector` on `host` at `now`.
    public func muting(host: String, detector: String, at now: UTCInstant) -> Silence? {
        silences.first { $0.mutes(host: host, detector: detector, at: now) }
    }

    /// Silences not yet expired at `now`.
    public func active(at now: UTCInstant) -> [Silence] {
        silences.filter { now < $0.until }
    }

    public mutating func add(_ silence: Silence) {
        silences.append(silence)
    }

    /// Removes the silence `id` (or a unique prefix of it); returns it, or nil when none matches.
    public mutating func remove(_ id: String) -> Silence? {
        let matches = silences.filter { $0.id == id || (!id.isEmpty && $0.id.hasPrefix(id)) }
        guard matches.count == 1, let silence = matches.first else { return nil }
        silences.removeAll { $0.id == silence.id }
        return silence
    }

    /// Drops silences that ended before `now`.
    public mutating func prune(at now: UTCInstant) {
        silences.removeAll { $0.until <= now }
    }

    public func json() -> JSONValue {
        ["version": 1, "silences": .array(silences.map { $0.json() })]
    }

    public init(json: JSONValue) {
        self.init((json["silences"]?.arrayValue ?? []).compactMap(Silence.init(json:)))
    }
}
