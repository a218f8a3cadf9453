import FleetCore

// Field shapes the supervisor's events share.
extension EventField {
    /// An `Int32` (exit codes, pids) written as a JSON int.
    static func int(_ key: String, _ path: any KeyPath<Event, Int32> & Sendable) -> Self {
        Self(key, type: "int") { .int(Int64($0[keyPath: path])) }
    }

    /// A key the original always writes as null (`paths_hash`, `models_breakdown`): readers of
    /// its logs expect the key.
    static func alwaysNull(_ key: String) -> Self {
        Self(key, type: "null") { _ in .null }
    }
}

extension EventField {
    /// A `Bool?` written as true, false or null.
    static func bool(_ key: String, _ path: any KeyPath<Event, Bool?> & Sendable) -> Self {
        Self(key, type: "bool|null") { $0[keyPath: path].map { .bool($0) } ?? .null }
    }

    /// A nested object (a pressure finding's `context`).
    static func object(_ key: String, _ path: any KeyPath<Event, JSONObject> & Sendable) -> Self {
        Self(key, type: "object") { .object($0[keyPath: path]) }
    }
}
