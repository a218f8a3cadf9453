import FleetCore

extension ServiceState {
    /// The machine-readable state (`--json` of the lifecycle verbs), in the field names of the
    /// original's ServiceStatus: mode, active, pid, unit_file, system_managed.
    public var json: JSONValue {
        .object(JSONObject([
            ("mode", .string(mode.rawValue)),
            ("active", .bool(active)),
            ("pid", servePID.map { .int(Int64($0)) } ?? .null),
            ("unit_file", userUnitPath.map(JSONValue.string) ?? .null),
            ("system_managed", .bool(systemManaged)),
        ]))
    }
}
