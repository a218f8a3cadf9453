import FleetCore

/// How `agent-runner upgrade` is assembled on a host: with or without a project, and what it
/// then may touch. The rule: an upgrade never fails for want of a usable config (the new build
/// may be the fix); it only stops touching the service, and says so.
extension Upgrader {
    /// The project's config, or nil: when the file is absent the upgrade is package-only, and
    /// when it does not load the error is reported and the upgrade is package-only too.
    public static func projectConfig(
        at path: String, environment: ConfigEnvironment, fileSystem: any FileSystem,
        stderr: any TextOutput
    ) -> AgentRunnerConfig? {
        guard fileSystem.exists(ConfigPaths.absolute(path, against: environment.currentDirectory)) else { return nil }
        do {
            return try AgentRunnerConfigLoader(environment: environment, fileSystem: fileSystem).load(path: path)
        } catch {
            stderr.write("agent-runner: \(error); proceeding with a package-only upgrade (no restart)\n")
            return nil
        }
    }

    /// The upgrader for this host and `config`'s project: the versions and link of its
    /// `[upgrade]` (the defaults under `home` without a config), its service controller and event
    /// log. A project whose service paths cannot be derived (a name that cannot name a unit) is
    /// upgraded without touching the service.
    public init(
        project config: AgentRunnerConfig?, environment: [String: String], home: String, effects: Effects,
        processes: any ProcessTable, stderr: any TextOutput, selfExecutable: String,
        readStandardInput: @escaping @Sendable () throws(LifecycleError) -> [UInt8]
    ) {
        var controller: ServiceController?
        var events: EventSink?
        if let config {
            do {
                let paths = try ServicePaths(config: config, environment: environment)
                controller = ServiceController(
                    paths: paths, config: config, effects: effects, processes: processes,
                    environment: environment, stderr: stderr, executable: selfExecutable)
                effects.fileSystem.createPrivateDirectory(config.runtime.logDir)
                events = EventSink(logDir: config.runtime.logDir, clock: effects.wallClock, stderr: stderr)
            } catch {
                stderr.write("agent-runner: \(error.message); upgrading without touching the service\n")
            }
        }
        let settings = config?.upgrade ?? .defaults(home: home)
        let release = settings.source.map {
            ReleaseSource(template: $0, arch: HostArchitecture.current(), timeoutS: Double(settings.sourceTimeoutS))
        }
        self.init(
            store: VersionStore(config: settings, fileSystem: effects.fileSystem),
            smoke: UpgradeSmoke(effects: effects, environment: environment, timeout: .seconds(settings.smokeTimeoutS)),
            config: controller == nil ? nil : config, controller: controller, events: events, stderr: stderr,
            selfExecutable: selfExecutable, effects: effects, readStandardInput: readStandardInput, release: release,
            noReleaseSource: config.map { "\($0.displayPath) has no [upgrade] source" } ?? "no config was loaded")
    }
}
