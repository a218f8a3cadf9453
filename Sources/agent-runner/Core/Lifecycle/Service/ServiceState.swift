import FleetCore

/// What the detector found: the mode and the facts it was decided from.
public struct ServiceState: Sendable, Equatable {
    public var mode: ServiceMode
    /// serve's pid when serve.pid names a live serve (same pid and start time).
    public var servePID: Int32?
    /// The user unit file, when installed.
    public var userUnitPath: String?
    /// `systemctl --user is-active` of the user unit (nil when not asked or no answer).
    public var userUnitState: String?
    /// The system unit file, when installed. Such a unit is not a mode of its own: systemd
    /// (root) owns that supervisor, so the lifecycle verbs refuse and print the sudo command.
    public var systemUnitPath: String?

    public init(
        mode: ServiceMode, servePID: Int32? = nil, userUnitPath: String? = nil, userUnitState: String? = nil,
        systemUnitPath: String? = nil
    ) {
        self.mode = mode
        self.servePID = servePID
        self.userUnitPath = userUnitPath
        self.userUnitState = userUnitState
        self.systemUnitPath = systemUnitPath
    }

    public var systemManaged: Bool { systemUnitPath != nil }
    /// Whether the supervisor is running right now, by the mode's own measure.
    public var active: Bool {
        switch mode {
        case .systemdUser: return ServiceModeDetector.activeStates.contains(userUnitState ?? "")
        case .pidFile: return servePID != nil
        case .none: return false
        }
    }
}

extension ServiceState {
    /// The machine-readable state (`--json` of the lifecycle verbs), in the field names of the
    /// original's ServiceStatus: mode, active, pid, unit_file, system_managed.
    public var json: JSONValue {
        .object(
            JSONObject([
                ("mode", .string(mode.rawValue)),
                ("active", .bool(active)),
                ("pid", servePID.map { .int(Int64($0)) } ?? .null),
                ("unit_file", userUnitPath.map(JSONValue.string) ?? .null),
                ("system_managed", .bool(systemManaged)),
            ]))
    }
}
