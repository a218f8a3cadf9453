import AgentRunnerCore
import FleetCore
import Monitoring

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `agent-runner monitor`: anomaly detection with auto-stop, a live event stream, a narrative,
/// or the progress page, all on this host.
enum MonitorCommand {
    static let modes = ["anomaly", "events", "narrate", "http"]

    static let spec = VerbSpec(
        "monitor",
        summary: "watch this host: anomaly alerts with auto-stop, event stream, narrative, or a progress page",
        discussion: """
            anomaly (default): every --interval seconds (default 30) run the detectors over the
            local logs with the [monitor] thresholds; print each newly firing alert
            ([WARN] disk_warning — ...; --json: JSON Lines {severity, detector, message, context,
            ts, auto_action}); record monitor_started, monitor_alert_emitted; for detectors in
            [monitor] auto_stop_on, SIGTERM the local serve and wait up to 10 s for it to exit:
            monitor_auto_stop_triggered only when it really stopped, else monitor_auto_stop_failed.
            --once runs a single poll and prints each firing alert, or one line when none fires
            ('PROJECT: healthy, no alert firing'; --json: {"project", "healthy": true, "alerts": []}).
            events: event lines as JSON Lines from now on (no replay), across month files.
            narrate: every event since the start of the log, then live, as
            "[HH:MM:SS.fff] event k=v ...".
            http: the progress page on http://127.0.0.1:PORT/ (default 8765; localhost only),
            updating itself every 5 s without reloading, and /api/state as JSON.
            SIGINT or SIGTERM ends every mode with exit 0. events and narrate also end when the
            reader of stdout goes away (closed pipe, dropped ssh session: exit 141, within a
            second even if no event comes) or on SIGHUP (exit 129).

            --host ALIAS watches a remote host over ssh instead (anomaly mode, or the event relay
            with --mode events): see below.

            """ + RemoteMonitorCommand.discussion,
        options: [
            OptionSpec("mode", value: "MODE", help: "anomaly (default), events, narrate or http."),
            OptionSpec(
                "interval", value: "SECONDS", help: "Seconds between anomaly polls (default 30; 60 with --host)."),
            OptionSpec("once", help: "anomaly: run one poll, then exit."),
            OptionSpec("port", value: "PORT", help: "http: the port on 127.0.0.1 (default 8765)."),
            HTTPAllowedHostOption.spec,
        ] + RemoteMonitorCommand.remoteOptions,
        exitCodes: [
            (ExitCode.success, "stopped by SIGINT/SIGTERM, or --once finished"),
            (
                ExitCode.failure,
                "http: the port is in use or cannot be bound; events/narrate: the event log cannot be read; "
                    + "the relay (--host --mode events): gave up after remote_failure_tolerance_s"
            ),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the configuration is missing, unreadable or invalid"),
            (ExitCode.hangUp, "events, narrate, the relay: SIGHUP"),
            (ExitCode.readerGone, "events, narrate, the relay: stdout's reader went away"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        if parsed.value("host") != nil || parsed.has("check") {
            return RemoteMonitorCommand.run(parsed, context: context, runner: runner)
        }
        let mode = parsed.value("mode") ?? "anomaly"
        let interval: Double
        let port: Int
        let allowedHosts: [HTTPHostCheck.Entry]
        do throws(UsageError) {
            allowedHosts = try HTTPAllowedHostOption.entries(parsed)
            guard modes.contains(mode) else {
                throw UsageError(
                    "--mode must be one of \(modes.joined(separator: ", ")), got '\(mode)'", verb: "monitor")
            }
            interval = try parsed.seconds("interval") ?? 30
            guard interval > 0 else { throw UsageError("--interval must be more than 0 seconds", verb: "monitor") }
            port = try parsed.integer("port", minimum: 0) ?? 8765
            guard port <= 65535 else { throw UsageError("--port must be at most 65535, got \(port)", verb: "monitor") }
            for flag in ["kind", "since", "remote-config"] where parsed.value(flag) != nil {
                throw UsageError("--\(flag) applies to --host ALIAS --mode events only (the relay)", verb: "monitor")
            }
        } catch {
            return runner.usageFailure(error, context: context)
        }
        guard let config = ServeCommand.loadConfig(parsed, context: context, runner: runner) else {
            return ExitCode.config
        }
        switch mode {
        case "events":
            return follow(config, from: .end, poll: .milliseconds(100), context: context) { event in
                JSONLines.compact(event)
            }
        case "narrate":
            return follow(config, from: .beginning, poll: .milliseconds(500), context: context) {
                Narration.line($0.object)
            }
        case "http":
            StopRequest.installSignalHandlers()
            return http(config, port: port, allowedHosts: allowedHosts, context: context)
        default:
            StopRequest.installSignalHandlers()
            return anomaly(
                config, interval: interval, once: parsed.has("once"), json: parsed.has("json"), context: context)
        }
    }

    static func anomaly(
        _ config: AgentRunnerConfig, interval: Double, once: Bool, json: Bool, context: CommandContext
    ) -> Int32 {
        if let error = Directories.createPrivate(config.runtime.logDir) {
            context.stderr.write(
                "agent-runner: cannot create log dir \(config.runtime.logDir): \(SystemError.text(error))\n")
            return ExitCode.failure
        }
        if let problem = PrivateDirectory.problem(config.runtime.logDir) {
            context.stderr.write("agent-runner: refusing log_dir \(config.runtime.logDir): \(problem)\n")
            return ExitCode.failure
        }
        let clock = SystemClock()
        let probe = PeekCommand.probe(config, context: context)
        let monitor = AnomalyMonitor(
            config: config, builder: PeekBuilder(config: config, clock: clock, service: probe),
            events: EventSink(logDir: config.runtime.logDir, clock: clock, stderr: context.stderr), clock: clock,
            stopper: ServiceStop(probe: probe, config: config, effects: context.effects, processes: LiveProcessTable()))
        monitor.started(intervalS: interval)
        let stop = StopRequest()
        while !stop.isRequested {
            let notices = monitor.poll()
            if once && notices.isEmpty {
                context.stdout.write(
                    json
                        ? JSONLines.line(
                            JSONObject([
                                ("project", .string(config.project)), ("healthy", .bool(true)),
                                ("alerts", .array([])),
                            ]))
                        : "\(config.project): healthy, no alert firing\n")
            }
            for notice in notices {
                if json {
                    let object = AlertFormatter.originalJSON(notice.alert, ts: notice.ts, autoAction: notice.autoAction)
                    context.stdout.write(JSONLines.line(.object(object)))
                } else {
                    context.stdout.write(AlertFormatter.originalLine(notice.alert) + "\n")
                }
                switch notice.stop {
                case .stopped(let pid)?:
                    context.stderr.write(
                        "agent-runner: auto-stop after \(notice.alert.detector): serve\(pid.map { " (pid \($0))" } ?? "") stopped\n"
                    )
                case .failed(let error, _)?:
                    context.stderr.write("agent-runner: auto-stop after \(notice.alert.detector) failed: \(error)\n")
                case nil:
                    break
                }
            }
            if once { break }
            let deadline = ContinuousClock.now + .milliseconds(Int64(interval * 1000))
            while !stop.isRequested && ContinuousClock.now < deadline { usleep(100_000) }
        }
        return ExitCode.success
    }

    /// Prints each event `render` turns into a line, following the log across month files, until
    /// a stop request, SIGHUP or the reader of stdout going away (``StreamWatch``).
    static func follow(
        _ config: AgentRunnerConfig, from start: EventLogFollower.StartPosition, poll interval: Duration,
        context: CommandContext, render: (Event) -> String
    ) -> Int32 {
        StopRequest.installSignalHandlers(hangUp: true)
        let watch = StreamWatch(output: context.stdout)
        if let end = watch.check() { return EventsCommand.ended(end, context: context) }
        do {
            var follower = try EventLogFollower(directory: config.runtime.logDir, from: start)
            while true {
                let events = try follower.poll()
                for event in events { context.stdout.write(render(event) + "\n") }
                if let end = events.isEmpty ? watch.pause(interval) : watch.check() {
                    return EventsCommand.ended(end, context: context)
                }
            }
        } catch {
            context.stderr.write("agent-runner: cannot follow the event log: \(error)\n")
            return ExitCode.failure
        }
    }

    static func http(
        _ config: AgentRunnerConfig, port: Int, allowedHosts: [HTTPHostCheck.Entry], context: CommandContext
    ) -> Int32 {
        let server: HTTPServer
        do {
            server = try HTTPServer.listen(port: port, allowedHosts: allowedHosts)
        } catch {
            context.stderr.write("agent-runner: \(error)\n")
            return ExitCode.failure
        }
        context.stderr.write(
            "agent-runner: progress page on http://127.0.0.1:\(server.port)/ (JSON at /api/state); Ctrl-C stops\n")
        let page = ProgressPage(config: config, clock: SystemClock())
        let stop = StopRequest()
        // Two workers: the page's script polls /api/state while someone loads the page or its
        // stylesheet, and a slow disk read for one must not hold up the other.
        server.serve(until: { stop.isRequested }, workers: 2) { request in page.respond(to: request) }
        return ExitCode.success
    }
}
