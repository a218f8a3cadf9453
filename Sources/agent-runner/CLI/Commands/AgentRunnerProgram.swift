import FleetCore

/// agent-runner's verbs and their dispatch. Argument parsing and output live here; the work
/// itself lives in FleetCore.
enum AgentRunnerProgram {
    static let configOption = OptionSpec("config", value: "PATH", help: "The agent-runner.toml to use (default: ./agent-runner.toml, or $AGENT_RUNNER_CONFIG).")
    static let jsonOption = OptionSpec("json", help: "Machine-readable output on stdout.")

    static let spec = ProgramSpec(
        name: "agent-runner", version: BuildInfo.version,
        summary: "runs an AI coding agent round after round, unattended, under defenses",
        globalOptions: [configOption, jsonOption, OptionSpec("version", help: "Print the version and exit.")],
        verbs: [ServeCommand.spec, ServeCommand.roundSpec, ConfigCommand.spec, RemoteMonitorCommand.spec])

    static func main(_ arguments: [String], context: CommandContext) -> Int32 {
        let runner = ProgramRunner(program: spec)
        return runner.run(arguments, context: context) { parsed, context in
            switch parsed.verb {
            case ConfigCommand.spec.name: return ConfigCommand.run(parsed, context: context, runner: runner)
            case ServeCommand.spec.name: return ServeCommand.run(parsed, context: context, runner: runner)
            case ServeCommand.roundSpec.name: return ServeCommand.runRound(parsed, context: context, runner: runner)
            case RemoteMonitorCommand.spec.name: return RemoteMonitorCommand.run(parsed, context: context, runner: runner)
            default: return runner.usageFailure(UsageError("unknown verb '\(parsed.verb)'"), context: context)
            }
        }
    }

    /// The config path in force: `--config`, else `$AGENT_RUNNER_CONFIG`, else `./agent-runner.toml`.
    static func configPath(_ parsed: ParsedArguments, context: CommandContext) -> String {
        parsed.value("config") ?? context.environment["AGENT_RUNNER_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "agent-runner.toml"
    }
}
