import AgentRunnerCore
import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `agent-runner peek`, `watch` and `status`: what an operator (and fleetctl) sees of this host.
enum PeekCommand {
    static let peekOptions = [
        OptionSpec(
            "round", value: "N|latest",
            help: "Fill current_round for round N (or the newest one), from its log and events."),
        OptionSpec("log", help: "With --round (implied: latest), include the round's last 50 log lines as log_tail."),
        OptionSpec("events", value: "N", help: "Include the newest N events in recent_events (default none)."),
        OptionSpec(
            "select", value: "PATH",
            help: "Print only this dot path of the document (system.disk_used_pct, defenses.0.name)."),
    ]

    static let spec = VerbSpec(
        "peek", summary: "show this project's state: service, rounds, throttle, system, defenses",
        discussion: """
            A summary for humans, or with --json the peek document (schema "2.6" of the original
            plus generated_at, agent_runner_version, recent_rounds, config, system_history: the
            contract fleetctl's detectors read). Reads only the end of the logs: a 1 GB event log
            answers as fast as a small one. The system numbers come from the latest metrics line,
            written at each round's start and end.
            """,
        options: peekOptions,
        exitCodes: [
            (ExitCode.success, "the state was printed"),
            (
                ExitCode.failure,
                "--round names a round without a log, or --select names a path the document does not have"
            ),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the configuration is missing, unreadable or invalid"),
        ])

    static let watchSpec = VerbSpec(
        "watch", summary: "peek again every few seconds, redrawing in place on a terminal",
        discussion: """
            Runs peek with the same flags every --interval seconds until Ctrl-C or SIGTERM (exit 0),
            SIGHUP (exit 129) or its reader going away (closed pipe, dropped ssh session: exit 141).
            On a terminal the screen is redrawn in place; otherwise each peek is printed in turn.
            """,
        options: peekOptions + [
            OptionSpec("interval", value: "SECONDS", help: "Seconds between refreshes (default 2).")
        ],
        exitCodes: [
            (ExitCode.success, "stopped with Ctrl-C or SIGTERM"),
            (ExitCode.failure, "a peek failed (see peek's exit codes)"),
            (ExitCode.hangUp, "SIGHUP (the terminal or ssh session hung up)"),
            (ExitCode.readerGone, "stdout's reader went away (closed pipe, dropped ssh session)"),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the configuration is missing, unreadable or invalid"),
        ])

    static let statusSpec = VerbSpec(
        "status", summary: "show how the service runs (systemd user unit, pid file, none) and whether it is up",
        discussion: """
            Mode detection: a user unit ~/.config/systemd/user/agent-runner@<project>.service that
            systemctl --user is-active reports active is systemd_user; else a live serve.pid in the
            log dir is pid_file; else none. uptime_s comes from the serve process's start time.
            """,
        exitCodes: [
            (ExitCode.success, "the status was printed"),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the configuration is missing, unreadable or invalid"),
        ])

    static func probe(_ config: AgentRunnerConfig, context: CommandContext) -> ServiceProbe {
        ServiceProbe(
            project: config.project, logDir: config.runtime.logDir, home: context.home, runner: PosixProcessRunner(),
            environment: context.environment)
    }

    static func options(_ parsed: ParsedArguments) throws(UsageError) -> PeekOptions {
        var options = PeekOptions(events: try parsed.integer("events", minimum: 0) ?? 0, log: parsed.has("log"))
        if let round = parsed.value("round") {
            if round == "latest" {
                options.round = .latest
            } else if let number = Int(round), number > 0 {
                options.round = .number(number)
            } else {
                throw UsageError("--round must be a round number or 'latest', got '\(round)'", verb: parsed.verb)
            }
        } else if options.log {
            options.round = .latest
        }
        return options
    }

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let options: PeekOptions
        do {
            options = try self.options(parsed)
        } catch {
            return runner.usageFailure(error, context: context)
        }
        guard let config = ServeCommand.loadConfig(parsed, context: context, runner: runner) else {
            return ExitCode.config
        }
        let (code, text) = render(
            config: config, options: options, select: parsed.value("select"), json: parsed.has("json"), context: context
        )
        // Peek's text quotes the agent (phase, narrative, reasons): sanitized like every printer.
        let shown = parsed.has("json") ? text : TerminalText.sanitize(text, keepNewlines: true)
        if code == ExitCode.success { context.stdout.write(shown) } else { context.stderr.write(shown) }
        return code
    }

    /// One peek as the text to print and the exit code (errors are the stderr text).
    static func render(
        config: AgentRunnerConfig, options: PeekOptions, select: String?, json: Bool, context: CommandContext
    ) -> (Int32, String) {
        let peek: Peek
        do {
            peek = try PeekBuilder(config: config, clock: SystemClock(), service: probe(config, context: context))
                .build(options)
        } catch {
            return (ExitCode.failure, "agent-runner: \(error)\n")
        }
        var value = peek.document
        if let select {
            do {
                value = try JSONSelect.select(select, in: peek.document)
            } catch {
                return (ExitCode.failure, "agent-runner: \(error)\n")
            }
            return (
                ExitCode.success,
                json ? JSONLines.line(value) : PeekText.scalar(value) + "\n"
            )
        }
        return (
            ExitCode.success, json ? JSONLines.line(value) : PeekText.render(value)
        )
    }

    static func watch(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let options: PeekOptions
        let interval: Double
        do {
            options = try self.options(parsed)
            interval = try parsed.seconds("interval") ?? 2
        } catch {
            return runner.usageFailure(error, context: context)
        }
        guard interval > 0 else {
            return runner.usageFailure(
                UsageError("--interval must be more than 0 seconds", verb: "watch"), context: context)
        }
        guard let config = ServeCommand.loadConfig(parsed, context: context, runner: runner) else {
            return ExitCode.config
        }
        StopRequest.installSignalHandlers(hangUp: true)
        let watch = StreamWatch(output: context.stdout)
        let terminal = (context.stdout as? FileDescriptorOutput)?.isTerminal ?? false
        while true {
            if let end = watch.check() { return EventsCommand.ended(end, context: context) }
            let (code, text) = render(
                config: config, options: options, select: parsed.value("select"), json: parsed.has("json"),
                context: context)
            guard code == ExitCode.success else {
                context.stderr.write(text)
                return code
            }
            // Clear and home, then draw: the terminal shows one peek, updated in place.
            let shown = parsed.has("json") ? text : TerminalText.sanitize(text, keepNewlines: true)
            context.stdout.write(terminal ? "\u{1B}[H\u{1B}[2J" + shown : shown + "\n")
            if let end = watch.pause(.seconds(interval)) { return EventsCommand.ended(end, context: context) }
        }
    }

    static func status(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        guard let config = ServeCommand.loadConfig(parsed, context: context, runner: runner) else {
            return ExitCode.config
        }
        let status = probe(config, context: context).status()
        if parsed.has("json") {
            context.stdout.write(JSONLines.line(status.json))
            return ExitCode.success
        }
        let rows: [(String, String)] = [
            ("service", status.summary), ("mode", status.mode.rawValue), ("active", status.active ? "yes" : "no"),
            ("pid", status.pid.map(String.init) ?? "-"), ("uptime", status.uptimeS.map(ServiceStatus.duration) ?? "-"),
            ("unit file", status.unitFile ?? "-"), ("system managed", status.systemManaged ? "yes" : "no"),
            ("version", status.version),
        ]
        context.stdout.write(
            TerminalText.sanitize(
                "\(config.project):\n" + rows.map { "  \($0.0): \($0.1)" }.joined(separator: "\n") + "\n",
                keepNewlines: true))
        return ExitCode.success
    }
}
