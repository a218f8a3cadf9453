import FleetCore

/// Where one project's service lives: unit names and files, and the supervisor's pid files and
/// log in log_dir. Derived from the loaded config and the environment only, so every verb (and
/// `status`) agrees on the same paths.
public struct ServicePaths: Sendable, Equatable {
    /// Overrides `/etc/systemd/system` for `install --system` (tests, image builds with a root prefix).
    public static let systemUnitDirectoryVariable = "AGENT_RUNNER_SYSTEM_UNIT_DIR"

    public var project: String
    public var workDir: String
    public var configPath: String
    public var logDir: String
    /// `$XDG_CONFIG_HOME/systemd/user`, else `~/.config/systemd/user`.
    public var userUnitDirectory: String
    /// `/etc/systemd/system` (or `$AGENT_RUNNER_SYSTEM_UNIT_DIR`).
    public var systemUnitDirectory: String

    public init(
        project: String, workDir: String, configPath: String, logDir: String, userUnitDirectory: String,
        systemUnitDirectory: String
    ) {
        self.project = project
        self.workDir = workDir
        self.configPath = configPath
        self.logDir = logDir
        self.userUnitDirectory = userUnitDirectory
        self.systemUnitDirectory = systemUnitDirectory
    }

    /// The paths of `config`'s project. Throws when the project name cannot name a unit.
    public init(config: AgentRunnerConfig, environment: [String: String]) throws(LifecycleError) {
        try Self.validateProjectName(config.project, workDir: config.runtime.workDir)
        self.init(
            project: config.project, workDir: config.runtime.workDir, configPath: config.configPath,
            logDir: config.runtime.logDir,
            userUnitDirectory: Self.userUnitDirectory(environment: environment),
            systemUnitDirectory: environment[Self.systemUnitDirectoryVariable].flatMap { $0.isEmpty ? nil : $0 }
                ?? "/etc/systemd/system")
    }

    /// A unit instance name must be plain: letters, digits, `.`, `_` and `-` (as the original
    /// required). Anything else (a space, `@`, `%`) would need systemd escaping the operator
    /// then has to repeat in every `systemctl` command.
    public static func validateProjectName(_ project: String, workDir: String) throws(LifecycleError) {
        let allowed = project.unicodeScalars.allSatisfy { scalar in
            (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                || scalar == "." || scalar == "_" || scalar == "-"
        }
        guard allowed, !project.isEmpty else {
            throw LifecycleError(
                "project name \(TOMLFieldReader.quote(project)) (the basename of work_dir \(workDir)) can only hold letters, digits, '.', '_' and '-'; rename the folder",
                exitCode: ExitCode.config)
        }
    }

    public static func userUnitDirectory(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/systemd/user" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        return ConfigPaths.normalize(home + "/.config/systemd/user")
    }

    public var serveUnitName: String { "agent-runner@\(project).service" }
    public var monitorUnitName: String { "agent-runner-monitor@\(project).service" }
    public var userUnitPath: String { userUnitDirectory + "/" + serveUnitName }
    public var userMonitorUnitPath: String { userUnitDirectory + "/" + monitorUnitName }
    public var systemUnitPath: String { systemUnitDirectory + "/" + serveUnitName }
    public var systemMonitorUnitPath: String { systemUnitDirectory + "/" + monitorUnitName }

    /// Written by serve itself once it holds serve.lock; removed when it exits.
    public var servePidPath: String { logDir + "/serve.pid" }
    /// Written by the round for the agent it spawned (the leader of the agent's process group).
    public var agentPidPath: String { logDir + "/agent.pid" }
    /// stdout and stderr of a serve daemonized by `start`.
    public var serveLogPath: String { logDir + "/serve.log" }
}
