import AgentRunnerCore
import Detectors
import FleetCore
import Monitoring
import SSHTransport

/// `agent-runner monitor --host ALIAS --mode events [--kind K,...] [--since TS] [--remote-config P]`:
/// the flags of the event relay, its context, and Monitoring's ``EventRelay``.
///
/// `--config` here is this machine's agent-runner.toml, as in the original's relay, and it is
/// optional (the original required one in the working directory): its log_dir gets the blip and
/// give-up events and its `[monitor] remote_failure_tolerance_s` applies. Without it the events go
/// to `--state-dir`, else `~/.local/state/agent-runner/monitor-ALIAS/`, and the tolerance is 90 s.
enum EventRelayCommand {
    /// The relay's part of `monitor`'s help.
    static let discussion = """
        With --host ALIAS --mode events: the event relay. Runs `agent-runner events --tail
        --kind K,... [--since TS] [--config P]` on the host over ssh and prints its JSON Lines
        unchanged. When ssh ends: monitor_remote_blip, then a reconnect after 1, 2, 4, 8, 16,
        30 s (cut to the tolerance left) with --since the newest ts relayed; the replayed
        boundary event is not printed twice. Any line from the host resets the failure clock;
        failing for remote_failure_tolerance_s (90 s) records monitor_remote_giveup and exits 1.
        --kind defaults to the original 0.3.14's 71 kinds (so it works against a host still
        running the original); name others (serve_started, stale_agent_killed) with --kind.
        --remote-config P is the host's agent-runner.toml; --config (optional, unlike the
        original) is this machine's: its log_dir gets the events, its [monitor] the tolerance;
        without it they go to --state-dir or ~/.local/state/agent-runner/monitor-ALIAS/.
        SIGINT/SIGTERM end it with exit 0, SIGHUP with 129, its own reader going away with
        141; ssh's process group is ended first.
        """

    static func run(_ parsed: ParsedArguments, alias: String, context: CommandContext, runner: ProgramRunner) -> Int32 {
        for flag in ["once", "cycles", "interval", "dry-run"] where parsed.has(flag) || parsed.value(flag) != nil {
            return runner.usageFailure(
                UsageError(
                    "--\(flag) applies to anomaly mode, not to the --mode events relay",
                    verb: "monitor"), context: context)
        }
        var command = RelayCommand(
            remoteConfig: parsed.value("remote-config"), agentRunner: parsed.value("agent-runner") ?? "agent-runner")
        if let text = parsed.value("kind") {
            let kinds = text.split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
            guard !kinds.isEmpty else {
                return runner.usageFailure(
                    UsageError("--kind requires at least one non-empty event kind", verb: "monitor"),
                    context: context)
            }
            let unknown = kinds.filter { EventKind(rawValue: $0) == nil }
            if !unknown.isEmpty {
                context.stderr.write(
                    "agent-runner: warning: --kind names kinds no agent-runner writes: "
                        + "\(unknown.joined(separator: ", ")) (they match nothing; see docs/events.md)\n")
            }
            command.kinds = kinds
        }
        let since = parsed.value("since")
        if let since, EventsCommand.parseSince(since) == nil {
            return runner.usageFailure(
                UsageError(
                    "--since expects an ISO-8601 timestamp (e.g. 2026-07-27T10:00:00.000Z), "
                        + "got '\(since)'", verb: "monitor"), context: context)
        }
        var toleranceS = RemoteFailureTolerance.defaultToleranceS
        var logDir =
            parsed.value("state-dir")
            ?? StateDirectory.file(
                "monitor-" + String(alias.map { $0 == "/" ? "_" : $0 }),
                in: StateDirectory.file(".local/state/agent-runner", in: context.home))
        if let local = parsed.value("config") {
            let loader = AgentRunnerConfigLoader(environment: context.configEnvironment, fileSystem: context.fileSystem)
            do {
                let config = try loader.load(path: local)
                logDir = config.runtime.logDir
                toleranceS = config.monitor.remoteFailureToleranceS
            } catch {
                return runner.configFailure(error, context: context)
            }
        }
        let target: EventRelay.Target
        do {
            let options = SSHOptions(
                configFile: parsed.value("ssh-config").map {
                    ConfigPaths.absolute($0, against: context.currentDirectory)
                })
            target = EventRelay.Target(
                name: alias, remote: RemoteHost(name: alias, target: try SSHTarget(alias), options: options),
                command: command, toleranceS: toleranceS)
            try StateDirectory.prepare(logDir)
        } catch let error as SSHSetupError {
            return runner.usageFailure(UsageError(error.message, verb: "monitor"), context: context)
        } catch {
            context.stderr.write("agent-runner: \(error)\n")
            return ExitCode.failure
        }
        StopRequest.installSignalHandlers(hangUp: true)
        let watch = StreamWatch(output: context.stdout)
        if let end = watch.check() { return EventsCommand.ended(end, context: context) }
        let relay = EventRelay(
            target: target, stream: SSHEventStream(environment: context.environment), clock: context.effects.clock,
            events: EventLogWriter(directory: logDir, clock: context.effects.wallClock),
            output: context.stdout, notices: context.stderr)
        let end = relay.run(since: since) { watch.check() }
        if case .interrupted(let reason) = end { return EventsCommand.ended(reason, context: context) }
        return end.exitCode
    }
}
