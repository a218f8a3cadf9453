import AgentRunnerCore
import FleetCore

/// `agent-runner config`: prints the effective configuration and runs the startup checks a
/// round runs, or prints the one-line error that says what to fix. The operator's `nginx -t` /
/// `ssh -G` before a restart: a config that passes here starts.
enum ConfigCommand {
    static let spec = VerbSpec(
        "config", summary: "check agent-runner.toml and its startup checks, print the effective configuration",
        discussion: """
            Loads the configuration exactly as serve would: defaults filled in, paths resolved
            (work_dir against the config file's folder, other paths against work_dir, ~ and
            {project} expanded). The text form ends each line with the file:line the value came
            from, or 'default'. Then runs the startup battery a round runs before it starts, for the
            base agent and prompt and every phase's own (log dir writable, work_dir a git work tree,
            prompt file present and at least 500 bytes, agent CLI on PATH, container checks), and
            prints each failure on stderr as 'STARTUP FAIL: <check>: <reason> | how-to-fix: <fix>'.
            The checks create the log dir (as a round would); --no-check skips them. With --json,
            one JSON Lines object on stdout: the effective configuration, with "startup_checks"
            ({name, ok, reason, how_to_fix, permanent} each) unless --no-check.
            """,
        options: [
            OptionSpec("no-check", help: "Only print the effective configuration; skip the startup checks.")
        ],
        exitCodes: [
            (ExitCode.success, "the configuration is valid and every startup check passed"),
            (ExitCode.usage, "the command line is wrong"),
            (
                ExitCode.environment,
                "a startup check failed that a round retries (the log dir cannot be created or written)"
            ),
            (
                ExitCode.config,
                "the configuration is missing, unreadable or invalid (the message names file, line and key), "
                    + "or a startup check failed for good (serve would halt with config_broken)"
            ),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let location = AgentRunnerProgram.configLocation(parsed, context: context)
        let loader = AgentRunnerConfigLoader(environment: context.configEnvironment, fileSystem: context.fileSystem)
        let config: AgentRunnerConfig
        do {
            config = try loader.load(path: location.path, missingHint: location.missingHint)
        } catch {
            return runner.configFailure(error, context: context)
        }
        AgentRunnerProgram.reportWarnings(config, context: context)
        let effective = config.effective()
        let checks =
            parsed.has("no-check")
            ? nil
            : Doctor(config: config, environment: context.environment, effects: context.effects).startupChecks()
        if parsed.has("json") {
            var object = effective.json()
            if let checks, case .object(var root) = object {
                root["startup_checks"] = .array(checks.map(json))
                object = .object(root)
            }
            context.stdout.write(JSONLines.line(object))
        } else {
            context.stdout.write("# effective configuration of \(config.displayPath) (project \(config.project))\n")
            context.stdout.write(effective.text())
        }
        guard let checks else { return ExitCode.success }
        let failures = checks.compactMap(\.failure)
        for failure in failures { context.stderr.write("agent-runner: \(failure.line)\n") }
        guard !failures.isEmpty else {
            context.stderr.write(
                "agent-runner: \(config.displayPath): valid; \(HumanText.count(checks.count, "startup check")) passed\n"
            )
            return ExitCode.success
        }
        let permanent = failures.contains(where: \.permanent)
        context.stderr.write(
            "agent-runner: \(config.displayPath): \(HumanText.count(failures.count, "startup check")) failed "
                + "(\(failures.map(\.check).joined(separator: ", "))); "
                + (permanent
                    ? "a round would not start and serve would halt with config_broken"
                    : "a round would wait and retry")
                + "\n")
        return permanent ? ExitCode.config : ExitCode.environment
    }

    static func json(_ check: StartupBattery.Check) -> JSONValue {
        .object(
            JSONObject([
                ("name", .string(check.name)), ("ok", .bool(check.ok)),
                ("reason", .string(check.failure?.reason ?? "")),
                ("how_to_fix", .string(check.failure?.howToFix ?? "")),
                ("permanent", .bool(check.failure?.permanent ?? false)),
            ]))
    }
}
