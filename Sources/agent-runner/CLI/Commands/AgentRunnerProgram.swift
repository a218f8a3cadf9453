import AgentRunnerCore
import FleetCore

/// agent-runner's verbs and their dispatch. Argument parsing and output live here; the work
/// itself lives in FleetCore.
enum AgentRunnerProgram {
    static let configOption = OptionSpec(
        "config", value: "PATH",
        help: "The agent-runner.toml to use (default: ./agent-runner.toml, or $AGENT_RUNNER_CONFIG).")
    static let jsonOption = OptionSpec("json", help: "Machine-readable output on stdout.")

    static let spec = ProgramSpec(
        name: "agent-runner", version: BuildInfo.version,
        summary: "runs an AI coding agent round after round, unattended, under defenses",
        globalOptions: [configOption, jsonOption, OptionSpec("version", help: "Print the version and exit.")],
        verbs: [
            InitCommand.spec, ConfigCommand.spec, ServeCommand.spec, ServeCommand.roundSpec,
            ServiceCommand.startSpec, ServiceCommand.stopSpec, ServiceCommand.killSpec, ServiceCommand.restartSpec,
            PeekCommand.statusSpec, PeekCommand.spec, PeekCommand.watchSpec, EventsCommand.spec, MonitorCommand.spec,
            MetricsCommand.spec, PruneCommand.spec,
            InstallCommand.spec, InstallCommand.uninstallSpec, UpgradeCommand.spec,
            MigrateCommand.spec, DoctorCommand.spec,
        ])

    static func main(_ arguments: [String], context: CommandContext) -> Int32 {
        let runner = ProgramRunner(program: spec)
        return runner.run(arguments, context: context) { parsed, context in
            switch parsed.verb {
            case ConfigCommand.spec.name: return ConfigCommand.run(parsed, context: context, runner: runner)
            case ServeCommand.spec.name: return ServeCommand.run(parsed, context: context, runner: runner)
            case ServeCommand.roundSpec.name: return ServeCommand.runRound(parsed, context: context, runner: runner)
            case PeekCommand.statusSpec.name: return PeekCommand.status(parsed, context: context, runner: runner)
            case PeekCommand.spec.name: return PeekCommand.run(parsed, context: context, runner: runner)
            case PeekCommand.watchSpec.name: return PeekCommand.watch(parsed, context: context, runner: runner)
            case EventsCommand.spec.name: return EventsCommand.run(parsed, context: context, runner: runner)
            case MonitorCommand.spec.name: return MonitorCommand.run(parsed, context: context, runner: runner)
            case MetricsCommand.spec.name: return MetricsCommand.run(parsed, context: context, runner: runner)
            case PruneCommand.spec.name: return PruneCommand.run(parsed, context: context, runner: runner)
            case InitCommand.spec.name: return InitCommand.run(parsed, context: context, runner: runner)
            case InstallCommand.spec.name: return InstallCommand.run(parsed, context: context, runner: runner)
            case InstallCommand.uninstallSpec.name:
                return InstallCommand.runUninstall(parsed, context: context, runner: runner)
            case ServiceCommand.startSpec.name, ServiceCommand.stopSpec.name, ServiceCommand.killSpec.name,
                ServiceCommand.restartSpec.name:
                return ServiceCommand.run(parsed, context: context, runner: runner)
            case UpgradeCommand.spec.name: return UpgradeCommand.run(parsed, context: context, runner: runner)
            case MigrateCommand.spec.name: return MigrateCommand.run(parsed, context: context, runner: runner)
            case DoctorCommand.spec.name: return DoctorCommand.run(parsed, context: context, runner: runner)
            default: return runner.usageFailure(UsageError("unknown verb '\(parsed.verb)'"), context: context)
            }
        }
    }

    /// One stderr line per old spelling the config uses (file:line:key and the fix), so a file
    /// that loads only thanks to a 0.2.x alias is never mistaken for a current one.
    static func reportWarnings(_ config: AgentRunnerConfig, context: CommandContext) {
        for warning in config.warnings {
            context.stderr.write("agent-runner: warning: \(warning)\n")
        }
    }

    /// The config path in force: `--config`, else `$AGENT_RUNNER_CONFIG`, else the nearest
    /// agent-runner.toml from the current folder up (``ProjectLocator``), else
    /// `./agent-runner.toml` (which then does not exist).
    static func configPath(_ parsed: ParsedArguments, context: CommandContext) -> String {
        configLocation(parsed, context: context).path
    }

    /// ``configPath(_:context:)`` and the hint its "no such file" error ends with.
    static func configLocation(
        _ parsed: ParsedArguments, context: CommandContext
    ) -> (path: String, missingHint: String) {
        let createHint = "create one with 'agent-runner init' or pass --config PATH"
        if let explicit = explicitConfigPath(parsed, context: context) { return (explicit, createHint) }
        let fileSystem = context.fileSystem
        switch ProjectLocator.locate(from: context.currentDirectory, exists: { fileSystem.exists($0) }) {
        case .found(let path, let directory):
            let here = directory == ProjectLocator.normalized(context.currentDirectory)
            return (here ? ProjectLocator.fileName : path, createHint)
        case .missing(let start, let top, let workTreeTop):
            return (
                ProjectLocator.fileName,
                ProjectLocator.missingHint(start: start, top: top, workTreeTop: workTreeTop)
            )
        }
    }

    /// `--config`, else a non-empty `$AGENT_RUNNER_CONFIG`; nil when neither names a file.
    static func explicitConfigPath(_ parsed: ParsedArguments, context: CommandContext) -> String? {
        parsed.value("config") ?? context.environment["AGENT_RUNNER_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
