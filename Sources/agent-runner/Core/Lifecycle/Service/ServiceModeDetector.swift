import FleetCore

/// How this project's supervisor is run on this host (commands.md §1.1).
public enum ServiceMode: String, Sendable, Equatable {
    /// A user unit installed by `agent-runner install` manages serve.
    case systemdUser = "systemd_user"
    /// serve runs (or ran) outside systemd: `agent-runner start`, a container entrypoint, a shell.
    case pidFile = "pid_file"
    /// Nothing is installed and no serve.pid exists.
    case none
}

/// Decides the service mode, the one place every lifecycle and observation verb asks
/// ("is a user unit in charge, or a pid-file serve, or nothing?"), so `start`, `stop`,
/// `upgrade` and `status` never disagree about who owns the supervisor.
public struct ServiceModeDetector: Sendable {
    /// `is-active` answers that mean the user unit is in charge right now.
    public static let activeStates: Set<String> = ["active", "activating", "reloading"]

    public let paths: ServicePaths
    public let systemctl: Systemctl

    public init(paths: ServicePaths, systemctl: Systemctl) {
        self.paths = paths
        self.systemctl = systemctl
    }

    public func detect() -> ServiceState {
        let userUnit = Directories.exists(paths.userUnitPath) ? paths.userUnitPath : nil
        let systemUnit = Directories.exists(paths.systemUnitPath) ? paths.systemUnitPath : nil
        let pidFileExists = Directories.exists(paths.servePidPath)
        let livePID = pidFileExists ? (try? PidFile(path: paths.servePidPath).runningPID()) ?? nil : nil
        let unitState = userUnit == nil ? nil : systemctl.activeState(paths.serveUnitName)
        let mode = Self.mode(
            userUnitPresent: userUnit != nil, userUnitState: unitState, servePidFileExists: pidFileExists,
            serveAlive: livePID != nil)
        return ServiceState(
            mode: mode, servePID: livePID, userUnitPath: userUnit, userUnitState: unitState, systemUnitPath: systemUnit)
    }

    /// The decision table of commands.md §1.1 (0.3.14), as a pure function.
    ///
    /// | user unit | is-active                 | serve.pid            | mode         |
    /// |-----------|---------------------------|----------------------|--------------|
    /// | no        | –                         | file exists          | pid_file     |
    /// | no        | –                         | no file              | none         |
    /// | yes       | active/activating/reloading | –                  | systemd_user |
    /// | yes       | anything else / no answer | live serve           | pid_file     |
    /// | yes       | anything else             | no live serve        | systemd_user |
    public static func mode(
        userUnitPresent: Bool, userUnitState: String?, servePidFileExists: Bool, serveAlive: Bool
    ) -> ServiceMode {
        guard userUnitPresent else { return servePidFileExists ? .pidFile : .none }
        if activeStates.contains(userUnitState ?? "") { return .systemdUser }
        return serveAlive ? .pidFile : .systemdUser
    }
}
