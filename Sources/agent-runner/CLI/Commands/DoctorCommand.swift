import AgentRunnerCore
import FleetCore

/// `agent-runner doctor`: the preflight checks, one line each.
enum DoctorCommand {
    static let spec = VerbSpec(
        "doctor", summary: "check a project before starting it: config, log dir, git, prompt, agent CLI, service",
        discussion: """
            Runs the startup battery serve runs before each round, for the base agent and prompt and
            for every phase's own (config_loaded, log_dir_writable, work_dir_is_git_repo,
            prompt_file_exists, prompt_smoke_passes, phase_window_overlap, agent_cli_in_path,
            stdin_container_interactive, control_plane_outside_container), then event_log_readable
            (the newest line of the event log is whole), service_mode_consistent (one supervisor:
            not a user and a system unit, no serve outside the installed unit) and config_current (no
            0.2.x spelling: see agent-runner migrate). Prints '[ok] name' or '[FAIL] name — reason (fix:
            how)' per check, then the phase plan, the stop grace, cgroup and service facts. Never starts
            the agent; it creates the log dir and writes and deletes .write_probe in it. Unlike the
            original, a failed check makes the exit code 1.
            """,
        options: [OptionSpec("rounds", value: "N", help: "Rounds of the phase plan to show (default 3).")],
        exitCodes: [
            (ExitCode.success, "every check passed"),
            (ExitCode.failure, "a check failed (the report says which and how to fix it)"),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the configuration is missing, unreadable or invalid (no check runs)"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let rounds: Int
        do {
            rounds = try parsed.integer("rounds", minimum: 1) ?? 3
        } catch {
            return runner.usageFailure(error, context: context)
        }
        guard rounds <= 1000 else {
            return runner.usageFailure(
                UsageError("--rounds must be at most 1000, got \(rounds)", verb: "doctor"), context: context)
        }
        guard let config = ServeCommand.loadConfig(parsed, context: context, runner: runner) else {
            return ExitCode.config
        }
        let report = Doctor(config: config, environment: context.environment, effects: context.effects).run(
            rounds: rounds)
        if parsed.has("json") {
            context.stdout.write(JSONLines.line(report.json))
        } else {
            context.stdout.write(report.text)
        }
        let failed = report.failures.count
        guard failed == 0 else {
            context.stderr.write(
                "agent-runner: doctor: \(failed) check\(failed == 1 ? "" : "s") failed: "
                    + report.failures.map(\.check).joined(separator: ", ") + "\n")
            return ExitCode.failure
        }
        return ExitCode.success
    }
}
