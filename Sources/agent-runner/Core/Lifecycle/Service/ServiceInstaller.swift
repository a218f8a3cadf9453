import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `install` and `uninstall`: write or remove the systemd units of one project and tell the
/// service manager. Everything it would need and lacks (a user manager, lingering, root and
/// SUDO_USER for --system) is said before anything is written, with the command that fixes it.
/// Unit files are read and written through `effects.fileSystem`; the wait for a unit to stop
/// is a call on `effects.clock`.
public struct ServiceInstaller: Sendable {
    public struct Options: Sendable, Equatable {
        public var monitor = false
        public var system = false
        public var force = false
        public init(monitor: Bool = false, system: Bool = false, force: Bool = false) {
            self.monitor = monitor
            self.system = system
            self.force = force
        }

        /// The options `install`'s flags ask for. `--user` names the default mode: the runbook
        /// spells it `agent-runner install --user --config <toml>`, and an operator copying that
        /// line must not get a usage error. Asking for both modes is one.
        public init(monitor: Bool, user: Bool, system: Bool, force: Bool) throws(UsageError) {
            if user && system {
                throw UsageError(
                    "--user and --system exclude each other: --user (the default) installs a systemd "
                        + "user unit, --system a system unit (as root, through sudo -E)", verb: "install")
            }
            self.init(monitor: monitor, system: system, force: force)
        }
    }

    public struct InstallResult: Sendable, Equatable {
        public var unitPath: String
        public var monitorUnitPath: String?
        public var enabled: Bool
        public var started: Bool
        /// Things that are not fatal but matter (linger off: the service stops at logout).
        public var warnings: [String]
        /// What the operator runs next (system mode: the start command).
        public var next: String?
    }

    public let paths: ServicePaths
    public let config: AgentRunnerConfig
    let effects: Effects
    let environment: [String: String]
    /// The agent-runner the units start (absolute).
    let executable: String
    let effectiveUserID: UInt32

    public init(
        paths: ServicePaths, config: AgentRunnerConfig, effects: Effects, environment: [String: String],
        executable: String, effectiveUserID: UInt32 = geteuid()
    ) {
        self.paths = paths
        self.config = config
        self.effects = effects
        self.environment = environment
        self.executable = executable
        self.effectiveUserID = effectiveUserID
    }

    var systemctlCommand: SystemCommand {
        SystemCommand("systemctl", runner: effects.processes, clock: effects.clock, environment: environment)
    }

    // MARK: install

    public func install(_ options: Options) throws(LifecycleError) -> InstallResult {
        if case .absent(let reason) = systemdPresence() {
            throw LifecycleError(SystemdPresence.installAdvice(reason: reason, workDir: paths.workDir))
        }
        return options.system ? try installSystem(options) : try installUser(options)
    }

    /// Whether systemd runs here (``SystemdPresence``), from `/run/systemd/system` and systemctl.
    func systemdPresence() -> SystemdPresence {
        let systemctl = systemctlCommand
        let runtime = Self.isDirectory(
            environment[SystemdPresence.runtimeDirectoryVariable].flatMap { $0.isEmpty ? nil : $0 }
                ?? SystemdPresence.runtimeDirectory)
        let state =
            systemctl.executable == nil || runtime
            ? nil : (try? systemctl.run(["is-system-running"])).map { $0.stdoutText + $0.stderrText }
        return SystemdPresence.decide(
            runtimeDirectoryExists: runtime, systemctlFound: systemctl.executable != nil, systemState: state)
    }

    private func installUser(_ options: Options) throws(LifecycleError) -> InstallResult {
        let systemctl = Systemctl(systemctlCommand, scope: .user)
        if effects.fileSystem.exists(paths.systemUnitPath) {
            throw LifecycleError(
                "\(paths.project) already has a system unit (\(paths.systemUnitPath)); a user unit "
                    + "beside it would run a second supervisor on the same work tree. Keep the system "
                    + "unit, or remove it first: sudo systemctl disable --now \(paths.serveUnitName) "
                    + "&& sudo rm \(paths.systemUnitPath)")
        }
        let warnings = try checkUserManager(systemctl)
        let unit = UnitFile(
            project: paths.project, workDir: paths.workDir, configPath: paths.configPath,
            executable: executable, scope: .user, stopBudget: StopBudget(config: config))
        try guardAgainstClobbering(paths.userUnitPath, force: options.force)
        if options.monitor { try guardAgainstClobbering(paths.userMonitorUnitPath, force: options.force) }
        try write(unit.serveUnit, to: paths.userUnitPath)
        if options.monitor { try write(unit.monitorUnit, to: paths.userMonitorUnitPath) }
        try systemctl.check(["daemon-reload"])
        try systemctl.check(["enable", paths.serveUnitName])
        try systemctl.check(["start", paths.serveUnitName])
        if options.monitor {
            try systemctl.check(["enable", paths.monitorUnitName])
            try systemctl.check(["start", paths.monitorUnitName])
        }
        return InstallResult(
            unitPath: paths.userUnitPath,
            monitorUnitPath: options.monitor ? paths.userMonitorUnitPath : nil,
            enabled: true, started: true, warnings: warnings, next: nil)
    }

    private func installSystem(_ options: Options) throws(LifecycleError) -> InstallResult {
        guard effectiveUserID == 0 else {
            let monitor = options.monitor ? " --monitor" : ""
            throw LifecycleError(
                "--system writes \(paths.systemUnitDirectory) and needs root; run: "
                    + "sudo -E agent-runner install --system\(monitor) --config \(paths.configPath)")
        }
        let (user, group) = try serviceUser()
        let systemctl = Systemctl(systemctlCommand, scope: .system)
        try systemctl.command.requireAvailable()
        if effects.fileSystem.exists(paths.userUnitPath) {
            throw LifecycleError(
                "\(paths.project) already has a user unit (\(paths.userUnitPath)); a system unit "
                    + "beside it would run a second supervisor. Remove it first with 'agent-runner "
                    + "uninstall' (as \(user), without sudo)")
        }
        let unit = UnitFile(
            project: paths.project, workDir: paths.workDir, configPath: paths.configPath,
            executable: executable, scope: .system(user: user, group: group),
            stopBudget: StopBudget(config: config))
        try guardAgainstClobbering(paths.systemUnitPath, force: options.force)
        if options.monitor { try guardAgainstClobbering(paths.systemMonitorUnitPath, force: options.force) }
        try write(unit.serveUnit, to: paths.systemUnitPath)
        if options.monitor { try write(unit.monitorUnit, to: paths.systemMonitorUnitPath) }
        try systemctl.check(["daemon-reload"])
        try systemctl.check(["enable", paths.serveUnitName])
        if options.monitor { try systemctl.check(["enable", paths.monitorUnitName]) }
        let units = [paths.serveUnitName] + (options.monitor ? [paths.monitorUnitName] : [])
        return InstallResult(
            unitPath: paths.systemUnitPath,
            monitorUnitPath: options.monitor ? paths.systemMonitorUnitPath : nil,
            enabled: true, started: false, warnings: [],
            next: "sudo systemctl start \(units.joined(separator: " "))")
    }

    /// The user and group a system unit runs serve as: SUDO_USER, never root or `nobody`.
    private func serviceUser() throws(LifecycleError) -> (user: String, group: String) {
        guard let user = environment["SUDO_USER"], !user.isEmpty else {
            throw LifecycleError(
                "--system needs SUDO_USER (the user serve runs as, never root); run via: "
                    + "sudo -E agent-runner install --system --config \(paths.configPath)")
        }
        guard user != "nobody" else {
            throw LifecycleError(
                "SUDO_USER=nobody: systemd refuses to trust the shared 'nobody' account for a service "
                    + "(\"Special user nobody configured, this is not safe!\"); run install through sudo "
                    + "as the user who owns \(paths.workDir)")
        }
        guard let group = Self.primaryGroup(of: user) else {
            throw LifecycleError(
                "SUDO_USER=\(user) is not a user on this host (getpwnam found nothing); "
                    + "run install through sudo as the user who owns \(paths.workDir)")
        }
        return (user, group)
    }

    /// A user manager must be reachable now, and lingering on, or the service dies at logout and
    /// does not come back at boot. Returns warnings; throws when user mode cannot work at all.
    func checkUserManager(_ systemctl: Systemctl) throws(LifecycleError) -> [String] {
        try systemctl.command.requireAvailable()
        let user = Self.userName(environment: environment)
        let fix =
            user == "root"
            ? "As root, install for the user who owns \(paths.workDir) instead: from that user's shell, "
                + "`sudo -E agent-runner install --system` (a system unit that runs serve as that user); or run "
                + "`agent-runner start`, which needs no systemd."
            : "On a headless host (Debian, Ubuntu Server, Raspberry Pi OS, dietpi) run "
                + "`sudo loginctl enable-linger \(user)` and log in again, OR install a system unit: "
                + "`sudo -E agent-runner install --system`, OR use `agent-runner start` instead (no systemd needed)."
        guard let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty, Self.isDirectory(runtime) else {
            throw LifecycleError("user systemd unavailable (XDG_RUNTIME_DIR not set or missing). \(fix)")
        }
        let probe = try systemctl.run(["is-system-running"])
        let said = probe.stderrText + probe.stdoutText
        if said.contains("Failed to connect to bus") || said.contains("No medium found") {
            throw LifecycleError(
                "user systemd unavailable (systemctl --user cannot reach the user manager: "
                    + "\(said.trimmedLines)). \(fix)")
        }
        let loginctl = SystemCommand(
            "loginctl", runner: effects.processes, clock: effects.clock,
            environment: environment)
        if user == "root" {
            return [
                "a user unit for root stops when root's last session ends unless root lingers; prefer a system unit "
                    + "that runs serve as the owner of \(paths.workDir): from that user's shell, "
                    + "sudo -E agent-runner install --system"
            ]
        }
        guard loginctl.executable != nil,
            let answer = try? loginctl.run(["show-user", user, "--property=Linger", "--value"])
        else {
            return [
                "cannot tell whether lingering is on for \(user) (no loginctl); if the service stops when you log "
                    + "out, run: sudo loginctl enable-linger \(user)"
            ]
        }
        if answer.stdoutText.trimmedLines == "no" {
            return [
                "lingering is off for \(user): the service stops when you log out and does not start at boot; "
                    + "fix: sudo loginctl enable-linger \(user)"
            ]
        }
        return []
    }

    /// Refuses to overwrite a unit that manages another project (same folder name elsewhere,
    /// e.g. after a move) unless `force`.
    func guardAgainstClobbering(_ path: String, force: Bool) throws(LifecycleError) {
        guard !force, let bytes = try? effects.fileSystem.readFile(path) else { return }
        let existing = UnitFile.workingDirectory(ofUnit: String(decoding: bytes, as: UTF8.self))
        if let existing, existing != paths.workDir {
            throw LifecycleError(
                "\(path) already manages a different project at \(existing) "
                    + "(this is \(paths.workDir)); pass --force to overwrite it")
        }
    }

    func write(_ text: String, to path: String) throws(LifecycleError) {
        let directory = ConfigPaths.directory(of: path)
        if let error = effects.fileSystem.createDirectory(directory) {
            throw LifecycleError("cannot create \(directory): \(SystemError.text(error))")
        }
        do {
            try effects.fileSystem.writeAtomically(Array(text.utf8), to: path, mode: 0o644)
        } catch {
            throw LifecycleError("\(error)")
        }
    }

    // MARK: uninstall

    public struct UninstallResult: Sendable, Equatable {
        public var removed: [String]
    }

    /// Stops, disables and removes the project's units: the user units, or, as root, the system
    /// units. Without root a system unit is left alone and the sudo command is the error.
    public func uninstall() throws(LifecycleError) -> UninstallResult {
        let systemUnits = [
            (paths.systemUnitPath, paths.serveUnitName), (paths.systemMonitorUnitPath, paths.monitorUnitName),
        ].filter { effects.fileSystem.exists($0.0) }
        if !systemUnits.isEmpty {
            guard effectiveUserID == 0 else {
                let commands = systemUnits.map { "sudo systemctl disable --now \($0.1) && sudo rm \($0.0)" }
                throw LifecycleError(
                    "\(paths.project) is managed by a system unit; run: "
                        + "\(commands.joined(separator: " && ")) && sudo systemctl daemon-reload")
            }
            return try remove(systemUnits, systemctl: Systemctl(systemctlCommand, scope: .system))
        }
        let userUnits = [(paths.userUnitPath, paths.serveUnitName), (paths.userMonitorUnitPath, paths.monitorUnitName)]
            .filter { effects.fileSystem.exists($0.0) }
        guard !userUnits.isEmpty else { return UninstallResult(removed: []) }
        return try remove(userUnits, systemctl: Systemctl(systemctlCommand, scope: .user))
    }

    /// For each unit: a non-blocking stop (serve drains its round in the background; systemd
    /// keeps the unit loaded until it is down), up to 5 s for it to go inactive, disable, delete.
    private func remove(
        _ units: [(path: String, name: String)], systemctl: Systemctl
    )
        throws(LifecycleError) -> UninstallResult
    {
        var removed: [String] = []
        for unit in units {
            try systemctl.check(["--no-block", "stop", unit.name])
            effects.clock.sleep(until: effects.clock.now + .seconds(5), tick: ServiceController.unitTick) {
                Systemctl.isStopped(systemctl.activeState(unit.name))
            }
            try systemctl.check(["disable", unit.name])
            if unlink(unit.path) != 0 && errno != ENOENT {
                throw LifecycleError("cannot remove \(unit.path): \(SystemError.text(errno))")
            }
            removed.append(unit.path)
        }
        _ = try? systemctl.run(["daemon-reload"])
        return UninstallResult(removed: removed)
    }

    // MARK: host facts

    static func userName(environment: [String: String]) -> String {
        if let user = environment["USER"], !user.isEmpty { return user }
        if let user = environment["LOGNAME"], !user.isEmpty { return user }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "$USER"
    }

    /// The name of `user`'s primary group, or nil when the user does not exist.
    static func primaryGroup(of user: String) -> String? {
        guard let entry = getpwnam(user) else { return nil }
        let gid = entry.pointee.pw_gid
        guard let group = getgrgid(gid), let name = group.pointee.gr_name else { return String(gid) }
        return String(cString: name)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
