import AgentRunnerCore
import FleetCore
import Monitoring

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `agent-runner metrics [--output PATH]`: this host's metrics in the Prometheus text format,
/// the same per-host series `fleetctl watch --metrics-listen` exports, for node_exporter's
/// textfile collector (teams that scrape hosts directly).
enum MetricsCommand {
    static let spec = VerbSpec(
        "metrics",
        summary: "print this host's metrics in the Prometheus text format (node_exporter textfile collector)",
        discussion: """
            Builds this project's peek document and prints the fleet_host_* series fleetctl
            exports for a host (fleet_host_up, round, last exit code, last event age, disk used
            ratio, throttled-until, info with the version, fleet_alert_firing for the detectors
            that find something now). With --output the text is written atomically (a temporary
            file in the same folder, then rename), so node_exporter never reads half a file: run
            it from cron or a systemd timer with --output /var/lib/node_exporter/textfile/agent.prom.
            """,
        options: [
            OptionSpec(
                "output", value: "PATH",
                help: "Write to PATH atomically instead of stdout (node_exporter reads *.prom files)."),
            OptionSpec("host", value: "NAME", help: "The host label (default: this machine's host name)."),
            OptionSpec("group", value: "NAME", help: "The group label of fleet_host_up (default: empty)."),
        ],
        exitCodes: [
            (ExitCode.success, "the metrics were printed or written"),
            (ExitCode.failure, "the peek document could not be built or --output could not be written"),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the configuration is missing, unreadable or invalid"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        guard let config = ServeCommand.loadConfig(parsed, context: context, runner: runner) else {
            return ExitCode.config
        }
        let peek: Peek
        do {
            peek = try PeekBuilder(
                config: config, clock: SystemClock(), service: PeekCommand.probe(config, context: context)
            ).build(PeekOptions(events: 20, log: false))
        } catch {
            context.stderr.write("agent-runner: cannot build the peek document: \(error)\n")
            return ExitCode.failure
        }
        let host = parsed.value("host") ?? hostName()
        let text = PrometheusText.render(
            FleetMetricFamilies.localHost(
                peek: peek.document, host: host, group: parsed.value("group") ?? "",
                now: SystemClock().now()))
        guard let output = parsed.value("output") else {
            context.stdout.write(text)
            return ExitCode.success
        }
        do {
            try AtomicFile.write(text, to: ConfigPaths.absolute(output, against: context.currentDirectory))
        } catch {
            context.stderr.write(
                "agent-runner: cannot write \(output): \(error); check that its folder exists and is writable\n")
            return ExitCode.failure
        }
        return ExitCode.success
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
