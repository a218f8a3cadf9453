import AgentRunnerCore
import FleetCore

/// What the service verbs share: the loaded config, its service paths and the controller.
struct LifecycleSetup {
    var config: AgentRunnerConfig
    var paths: ServicePaths
    var controller: ServiceController

    /// Loads the config and derives the paths; prints the error and returns the exit code otherwise.
    static func load(
        _ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner
    )
        -> Result<LifecycleSetup, ExitFailure>
    {
        guard let config = ServeCommand.loadConfig(parsed, context: context, runner: runner) else {
            return .failure(ExitFailure(code: ExitCode.config))
        }
        let paths: ServicePaths
        do {
            paths = try ServicePaths(config: config, environment: context.environment)
        } catch {
            context.stderr.write("agent-runner: \(error.message)\n")
            return .failure(ExitFailure(code: error.exitCode))
        }
        let controller = ServiceController(
            paths: paths, config: config, effects: context.effects,
            processes: LiveProcessTable(), environment: context.environment,
            stderr: context.stderr, executable: RunningExecutable.path())
        return .success(LifecycleSetup(config: config, paths: paths, controller: controller))
    }

    /// Prints the service state as JSON when --json was given.
    func printState(_ parsed: ParsedArguments, context: CommandContext) {
        guard parsed.has("json") else { return }
        context.stdout.write(JSONLines.line(controller.detector.detect().json))
    }
}

/// An exit code already reported on stderr.
struct ExitFailure: Error {
    var code: Int32
}
