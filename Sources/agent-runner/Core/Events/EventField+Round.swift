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
