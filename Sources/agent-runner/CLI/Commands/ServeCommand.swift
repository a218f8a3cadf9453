import AgentRunnerCore
import FleetCore

/// `agent-runner serve`: the supervisor loop. `agent-runner round`: one round, in the foreground.
enum ServeCommand {
    static let spec = VerbSpec(
        "serve", summary: "run the agent round after round until a stop trigger (the service's main process)",
        discussion: """
            Runs rounds forever under the defenses: hard round timeout (whole process group killed),
            grace kill after the agent's result, crash-loop breaker, config-broken halt, back-off
            while the provider throttles, stash of work a round left uncommitted. Stops cleanly
            (exit 0) when the agent writes $AGENT_RUNNER_LOG_DIR/.agent-done, when [runtime]
            stop_file exists, after max_rounds, or on SIGTERM/SIGINT (the current round finishes
            first). Events go to <log_dir>/events-YYYY-MM.jsonl, agent output to
            <log_dir>/rounds/R<N>-<UTC start>.log.
            """,
        options: [
            OptionSpec("max-rounds", value: "N", help: "Stop after N rounds (overrides [runtime] max_rounds)."),
            OptionSpec("once", help: "Run one round, then stop."),
            OptionSpec(
                "ignore-schedule",
                help: "Start rounds outside [schedule] and per-phase windows (the memory gate still applies)."),
        ],
        exitCodes: [
            (
                ExitCode.success,
                "stopped cleanly: sentinel, stop file, max rounds, signal, --once, or transient_error_action = \"stop\""
            ),
            (ExitCode.failure, "another serve holds the lock for this project, or a serve_startup hook failed"),
            (ExitCode.usage, "the command line is wrong"),
            (
                ExitCode.memLoopPersistent,
                "mem_loop_persistent: the 3rd mem_loop within 2 h; systemd does not restart it"
            ),
            (ExitCode.memLoop, "mem_loop: 5 memory-terminated rounds in a row; systemd restarts serve"),
            (ExitCode.crashLoop, "crash_loop: 5 consecutive short unexplained crashes; systemd does not restart it"),
            (
                ExitCode.config,
                "config_broken: the config, a phase-window overlap or the startup battery failed permanently"
            ),
        ])

    static let roundSpec = VerbSpec(
        "round", summary: "run a single round in the foreground (for debugging a config)",
        discussion: """
            Never gated by [schedule] or the memory gate. --phase runs that phase of [phases] list
            instead of the one the rotation gives the next round number. When the round is over,
            prints one line on stdout: 'round N (phase P, AGENT): ok, exit 0 (clean) after 12.4 s;
            log PATH', or why the agent did not run. With --json, one JSON Lines object instead:
            {round, phase, agent, outcome (ok, failed, timed_out, not_started, spawn_failed),
            exit_code, exit_cause, duration_s, log} (failed_checks or error when the agent did
            not run).
            """,
        options: [OptionSpec("phase", value: "NAME", help: "Run this phase (one of [phases] list).")],
        exitCodes: [
            (ExitCode.success, "the agent exited 0, or was stopped at the timeout or after its result"),
            (ExitCode.failure, "the agent exited non-zero"),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.environment, "the environment is not usable (log dir not writable)"),
            (
                ExitCode.config,
                "the config or the startup battery failed permanently, or --phase is not in [phases] list"
            ),
        ])

    static func loadConfig(
        _ parsed: ParsedArguments, context: CommandContext,
        runner: ProgramRunner
    ) -> AgentRunnerConfig? {
        let loader = AgentRunnerConfigLoader(environment: context.configEnvironment, fileSystem: context.fileSystem)
        do {
            let location = AgentRunnerProgram.configLocation(parsed, context: context)
            let config = try loader.load(path: location.path, missingHint: location.missingHint)
            AgentRunnerProgram.reportWarnings(config, context: context)
            return config
        } catch {
            _ = runner.configFailure(error, context: context)
            return nil
        }
    }

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let maxRounds: Int?
        do {
            maxRounds = try parsed.integer("max-rounds", minimum: 1)
        } catch {
            return runner.usageFailure(error, context: context)
        }
        guard let config = loadConfig(parsed, context: context, runner: runner) else { return ExitCode.config }
        StopRequest.installSignalHandlers()
        // Argument parsing and config loading are done: their code pages need not stay resident
        // (again after the first round, for the set-up the supervisor does once).
        StartupCodeRelease.release()
        let supervisor = Supervisor(
            config: config, effects: context.effects, environment: context.environment,
            stderr: context.stderr, stop: StopRequest())
        return supervisor.run(
            .init(
                maxRoundsOverride: maxRounds, once: parsed.has("once"),
                ignoreSchedule: parsed.has("ignore-schedule"), afterFirstRound: { StartupCodeRelease.release() }))
    }

    static func runRound(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        guard let config = loadConfig(parsed, context: context, runner: runner) else { return ExitCode.config }
        let phase = parsed.value("phase")
        if let phase, !config.phases.list.contains(phase) {
            let listed =
                config.phases.list.isEmpty
                ? "no [phases] list is configured" : "the phases are \(config.phases.list)"
            return runner.configFailure(
                ConfigError(
                    file: config.displayPath, line: nil, key: "phases.list",
                    message: "round --phase '\(phase)' is not a configured phase (\(listed)); "
                        + "pick one of the list"),
                context: context)
        }
        StopRequest.installSignalHandlers()
        let lock: FileLock
        context.effects.fileSystem.createPrivateDirectory(config.runtime.logDir)
        do {
            lock = try FileLock.acquire(config.runtime.logDir + "/serve.lock")
        } catch {
            context.stderr.write(
                "agent-runner: a serve is running for \(config.runtime.workDir); "
                    + "stop it before running a round by hand\n")
            return ExitCode.environment
        }
        defer { lock.release() }
        let events = EventSink(logDir: config.runtime.logDir, clock: context.effects.wallClock, stderr: context.stderr)
        let rounds = RoundRunner(
            config: config, events: events, effects: context.effects,
            environment: context.environment, stderr: context.stderr)
        let result = rounds.run(round: rounds.nextRoundNumber(), phase: phase)
        context.stdout.write(parsed.has("json") ? JSONLines.line(result.json) : result.summary + "\n")
        switch result.kind {
        case .batteryFailed(let failures):
            return failures.contains(where: \.permanent) ? ExitCode.config : ExitCode.environment
        case .spawnFailed:
            return ExitCode.failure
        case .ran(let exit):
            return exit.ok || exit.timedOut ? ExitCode.success : ExitCode.failure
        }
    }
}
