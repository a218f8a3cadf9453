import AgentRunnerCore
import FleetCore

/// `agent-runner config`: prints the effective configuration, or the one-line error that says
/// what to fix. The operator's `nginx -t` / `ssh -G` before a restart.
enum ConfigCommand {
    static let spec = VerbSpec(
        "config", summary: "check agent-runner.toml and print the effective configuration",
        discussion: """
            Loads the configuration exactly as serve would: defaults filled in, paths resolved
            (work_dir against the config file's folder, other paths against work_dir, ~ and
            {project} expanded). The text form ends each line with the file:line the value came
            from, or 'default'. With --json, one JSON object on stdout.
            """,
        exitCodes: [
            (ExitCode.success, "the configuration is valid"),
            (ExitCode.usage, "the command line is wrong"),
            (
                ExitCode.config,
                "the configuration is missing, unreadable or invalid; the message names file, line and key"
            ),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let path = AgentRunnerProgram.configPath(parsed, context: context)
        let loader = AgentRunnerConfigLoader(environment: context.configEnvironment, fileSystem: context.fileSystem)
        let config: AgentRunnerConfig
        do {
            config = try loader.load(path: path)
        } catch {
            return runner.configFailure(error, context: context)
        }
        AgentRunnerProgram.reportWarnings(config, context: context)
        let effective = config.effective()
        if parsed.has("json") {
            context.stdout.write(JSONLines.line(effective.json()))
        } else {
            context.stdout.write("# effective configuration of \(config.displayPath) (project \(config.project))\n")
            context.stdout.write(effective.text())
        }
        return ExitCode.success
    }
}
