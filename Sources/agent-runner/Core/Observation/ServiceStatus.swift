import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How the project's serve is run, and whether it is running: `status --json`, and peek's
/// `service` block (peek-schema.md §4), plus `version`.
public struct ServiceStatus: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable {
        /// Nothing manages serve and no serve.pid exists.
        case none
        /// A serve started by hand (or by a supervisor we do not know) recorded in serve.pid.
        case pidFile = "pid_file"
        /// A user unit `~/.config/systemd/user/agent-runner@<project>.service` manages it.
        case systemdUser = "systemd_user"
    }

    public var mode: Mode
    public var active: Bool
    /// The running serve's pid (from serve.pid), when it is alive.
    public var pid: Int32?
    /// Seconds since that process started (from `/proc/<pid>/stat`); the original never filled it.
    public var uptimeS: Int64?
    /// The user unit's path when one exists.
    public var unitFile: String?
    /// The provider throttle; always nil from `status`, filled by peek.
    public var rateLimit: RateLimitState?
    /// A system unit (`/etc/systemd/system/agent-runner@<project>.service`) exists while the
    /// mode is pid_file or none: systemd, not this tool, starts and stops the service.
    public var systemManaged: Bool
    public var version: String

    public init(
        mode: Mode, active: Bool, pid: Int32? = nil, uptimeS: Int64? = nil, unitFile: String? = nil,
        rateLimit: RateLimitState? = nil, systemManaged: Bool = false, version: String = BuildInfo.version
    ) {
        self.mode = mode
        self.active = active
        self.pid = pid
        self.uptimeS = uptimeS
        self.unitFile = unitFile
        self.rateLimit = rateLimit
        self.systemManaged = systemManaged
        self.version = version
    }

    /// The original's key order, then `version`.
    public var json: JSONValue {
        .object(
            JSONObject([
                ("mode", .string(mode.rawValue)), ("active", .bool(active)),
                ("pid", pid.map { .int(Int64($0)) } ?? .null),
                ("uptime_s", uptimeS.map { .int($0) } ?? .null), ("unit_file", unitFile.map { .string($0) } ?? .null),
                ("rate_limit", rateLimit?.json ?? .null), ("system_managed", .bool(systemManaged)),
                ("version", .string(version)),
            ]))
    }

    /// One line for humans: `running (pid_file, pid 4242, up 3 h 12 min)` or `not running (none)`.
    public var summary: String {
        var parts = [mode.rawValue]
        if let pid { parts.append("pid \(pid)") }
        if let uptimeS { parts.append("up \(Self.duration(uptimeS))") }
        var text = (active ? "running" : "not running") + " (" + parts.joined(separator: ", ") + ")"
        if systemManaged { text += "; managed by a system unit" }
        return text
    }

    /// `45 s`, `12 min 5 s`, `3 h 12 min`, `2 d 4 h` (``HumanText/duration(seconds:)``).
    public static func duration(_ seconds: Int64) -> String {
        HumanText.duration(seconds: Double(max(seconds, 0)))
    }
}

/// The service status of a project: the mode from the one shared ``ServiceModeDetector`` (so
/// `status`, `peek`, `start`, `stop` and `upgrade` never disagree about who owns the
/// supervisor), plus uptime from `/proc`.
public struct ServiceProbe: Sendable {
    public let project: String
    public let logDir: String
    public let home: String
    public let runner: any ProcessRunner
    public let environment: [String: String]
    /// Where system units live (tests point it elsewhere).
    public let systemUnitDirectory: String

    public init(
        project: String, logDir: String, home: String, runner: any ProcessRunner, environment: [String: String],
        systemUnitDirectory: String = "/etc/systemd/system"
    ) {
        self.project = project
        self.logDir = logDir
        self.home = home
        self.runner = runner
        self.environment = environment
        self.systemUnitDirectory = systemUnitDirectory
    }

    public var unitName: String { "agent-runner@\(project).service" }

    /// The service's files as the lifecycle verbs see them (the unit names, serve.pid).
    var paths: ServicePaths {
        var env = environment
        env["HOME"] = home
        return ServicePaths(
            project: project, workDir: "", configPath: "", logDir: logDir,
            userUnitDirectory: ServicePaths.userUnitDirectory(environment: env),
            systemUnitDirectory: systemUnitDirectory)
    }

    /// The probe only asks `is-active`; its deadline is on the machine's clock, like the runner
    /// peek gives it.
    var detector: ServiceModeDetector {
        let command = SystemCommand(
            "systemctl", runner: runner, clock: SystemMonotonicClock(), environment: environment)
        return ServiceModeDetector(paths: paths, systemctl: Systemctl(command, scope: .user))
    }

    public func status() -> ServiceStatus {
        let state = detector.detect()
        let mode: ServiceStatus.Mode
        switch state.mode {
        case .systemdUser: mode = .systemdUser
        case .pidFile: mode = .pidFile
        case .none: mode = .none
        }
        return ServiceStatus(
            mode: mode, active: state.active, pid: state.servePID, uptimeS: state.servePID.flatMap(Self.uptimeSeconds),
            unitFile: state.userUnitPath, systemManaged: state.systemManaged && mode != .systemdUser)
    }

    /// Seconds since `pid` started: `/proc/uptime` minus its start time in clock ticks.
    public static func uptimeSeconds(_ pid: Int32) -> Int64? {
        guard let start = PidFile.startTime(of: pid), let text = ProcText.read("/proc/uptime"),
            let boot = text.split(separator: " ").first.flatMap({ Double($0) })
        else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard ticks > 0 else { return nil }
        return max(0, Int64(boot - Double(start) / ticks))
    }
}
