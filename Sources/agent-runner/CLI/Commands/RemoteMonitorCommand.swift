import AgentRunnerCore
import Detectors
import FleetCore
import Monitoring
import SSHTransport

/// `agent-runner monitor --host ALIAS`: watches one remote host from this machine, for
/// liveness coverage the host cannot give itself (runbook "Liveness monitoring"). Polls the
/// remote `agent-runner peek --json` through fleetctl's poller and alert engine
/// (FleetControl): same detectors, blip/give-up tolerance, auto-stop with confirmation.
///
/// Flags: with `--host`, `--config PATH` is the remote agent-runner.toml (as in
/// `fleetctl`'s inventory), unless `--remote-config PATH` is also given (the original's relay
/// flag), in which case `--config` is the local agent-runner.toml whose log_dir and
/// `[monitor]` settings apply. Events go to that local log dir, else to
/// `~/.local/state/agent-runner/monitor-ALIAS/`.
///
/// `monitor` without `--host` (the local modes) is MonitorCommand; it hands `--host` here.
enum RemoteMonitorCommand {
    /// The `--host` part of `monitor`'s help.
    static let discussion = """
        With --host ALIAS (an ~/.ssh/config alias or user@host), --mode anomaly: polls `agent-runner peek --json`
        on the host every --interval seconds (default 60) through the system ssh, runs the
        detectors on what it reports (supervisor_stale on the host's own clock, generated_at;
        clock skew is reported), tolerates ssh failures for remote_failure_tolerance_s (90 s)
        as blips (monitor_remote_blip) and then gives up (monitor_remote_giveup, an alert),
        and on oauth_fail or disk_critical runs `agent-runner stop` on the host and re-polls
        until it reports stopped (monitor_auto_stop_triggered / monitor_auto_stop_failed).
        Events go to the local log dir (--config with --remote-config, see below), else to
        ~/.local/state/agent-runner/monitor-ALIAS/. --check runs the ssh hygiene check
        (`ssh -G`) for the alias instead.
        --config PATH is the remote agent-runner.toml; when --remote-config PATH is given
        too, that is the remote one and --config is the local agent-runner.toml.

        """ + EventRelayCommand.discussion

    /// The flags only `monitor --host` takes (`--interval` and `--once` are shared).
    static let remoteOptions: [OptionSpec] = [
        OptionSpec("host", value: "ALIAS", help: "The remote host (ssh alias or user@host)."),
        OptionSpec(
            "remote-config", value: "PATH", help: "The remote agent-runner.toml (then --config is the local one)."),
        OptionSpec("kind", value: "K[,K2...]", help: "--mode events: kinds to relay (default: the original's 71)."),
        OptionSpec("since", value: "ISO-TS", help: "--mode events: begin with the events since this time."),
        OptionSpec(
            "agent-runner", value: "CMD",
            help: "The agent-runner command on the host (default: agent-runner on its PATH)."),
        OptionSpec("ssh-config", value: "PATH", help: "ssh client config passed as -F (default: your ~/.ssh/config)."),
        OptionSpec(
            "state-dir", value: "PATH", help: "Where the alert state (and, without a local config, the events) go."),
        OptionSpec("cycles", value: "N", help: "Poll N times, then exit."),
        OptionSpec("check", help: "Check the ssh configuration for the alias (ssh -G) and exit."),
        OptionSpec("dry-run", help: "Show the auto-stop instead of performing it."),
    ]

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        guard let alias = parsed.value("host") else {
            return runner.usageFailure(UsageError("--check needs --host ALIAS", verb: "monitor"), context: context)
        }
        if let problem = SSHTargetCheck.problem(with: alias) {
            return runner.usageFailure(UsageError("--host: \(problem)", verb: "monitor"), context: context)
        }
        let mode = parsed.value("mode") ?? "anomaly"
        if mode == "events" && !parsed.has("check") {
            return EventRelayCommand.run(parsed, alias: alias, context: context, runner: runner)
        }
        guard mode == "anomaly" else {
            let error = UsageError(
                "--host takes --mode anomaly (polling) or events (the relay), not \(mode): "
                    + "run it on the host instead (ssh \(alias) agent-runner monitor --mode \(mode))", verb: "monitor")
            return runner.usageFailure(error, context: context)
        }
        for flag in ["kind", "since"] where parsed.value(flag) != nil {
            let error = UsageError("--\(flag) applies to --host --mode events only", verb: "monitor")
            return runner.usageFailure(error, context: context)
        }
        let remoteConfig = parsed.value("remote-config") ?? parsed.value("config")
        let localConfigPath = parsed.value("remote-config") != nil ? parsed.value("config") : nil
        var settings = PollSettings(remoteConfig: remoteConfig, pollIntervalS: 60)
        if let command = parsed.value("agent-runner") { settings.agentRunner = command }
        var policy = MonitorPolicy()
        var localLogDir: String?
        if let localConfigPath {
            let loader = AgentRunnerConfigLoader(environment: context.configEnvironment, fileSystem: context.fileSystem)
            do {
                let config = try loader.load(path: localConfigPath)
                localLogDir = config.runtime.logDir
                policy.toleranceS = config.monitor.remoteFailureToleranceS
                policy.autoStop.on = config.monitor.autoStopOn.filter { DetectorNames.all.contains($0) }
                policy.detectors.supervisorStaleThresholdS = config.monitor.supervisorStaleThresholdS
            } catch {
                return runner.configFailure(error, context: context)
            }
        }
        do {
            if let interval = try parsed.seconds("interval") {
                guard interval > 0 else {
                    return runner.usageFailure(
                        UsageError("--interval must be above 0", verb: "monitor"), context: context)
                }
                settings.pollIntervalS = interval
                settings.pollTimeoutS = min(settings.pollTimeoutS, max(1, interval * 2))
            }
        } catch { return runner.usageFailure(error, context: context) }
        policy.settleS = MonitorPolicy.settle(pollIntervalS: settings.pollIntervalS)
        let sshConfig = parsed.value("ssh-config").map { ConfigPaths.absolute($0, against: context.currentDirectory) }
        let target: PollTarget
        do {
            let options = SSHOptions(
                configFile: sshConfig,
                connectionReuse: .on(controlDirectory: ControlDirectory.defaultPath(environment: context.environment)))
            target = PollTarget(
                name: alias, remote: RemoteHost(name: alias, target: try SSHTarget(alias), options: options),
                settings: settings)
        } catch {
            return runner.usageFailure(UsageError(error.message, verb: "monitor"), context: context)
        }
        if parsed.has("check") { return check(target, context: context) }

        let stateDir =
            parsed.value("state-dir")
            ?? StateDirectory.file(
                "monitor-" + String(alias.map { $0 == "/" ? "_" : $0 }),
                in: StateDirectory.file(".local/state/agent-runner", in: context.home))
        let logDir = localLogDir ?? stateDir
        do {
            try StateDirectory.prepare(stateDir)
            try StateDirectory.prepare(logDir)
        } catch {
            context.stderr.write("agent-runner: \(error)\n")
            return ExitCode.failure
        }
        var options = WatchLoop.Options(parallel: 1, jitter: 0)
        do {
            options.cycles = parsed.has("once") ? 1 : try parsed.integer("cycles", minimum: 1)
        } catch { return runner.usageFailure(error, context: context) }
        options.dryRun = parsed.has("dry-run")
        let executor = SSHExecutor(environment: context.environment)
        let output = RemoteMonitorOutput(context: context, json: parsed.has("json"), once: parsed.has("once"))
        let outputs = WatchLoop.Outputs(
            eventLog: EventLogWriter(directory: logDir),
            stateStore: WatchStateStore(path: StateDirectory.file("monitor-state-\(target.name).json", in: stateDir)))
        let watcher = WatchLoop(
            hosts: [MonitoredHost(target: target, policy: policy)], remote: executor, effects: context.effects,
            outputs: outputs, options: options, report: output.handle)
        do {
            try watcher.restore()
        } catch {
            context.stderr.write("agent-runner: \(error)\n")
            return ExitCode.failure
        }
        StopRequest.installSignalHandlers()
        watcher.run { StopRequest().isRequested }
        if target.remote.options.connectionReuse != .off {
            _ = executor.closeControlMaster(for: target.remote, timeout: .seconds(2))
        }
        if parsed.has("once") { return output.lastRowHealthy ? ExitCode.success : ExitCode.failure }
        return ExitCode.success
    }

    private static func check(_ target: PollTarget, context: CommandContext) -> Int32 {
        do {
            let findings = try SSHHygiene(environment: context.environment).check(target.remote)
            if findings.isEmpty {
                context.stdout.write("\(target.name): ssh configuration follows the runbook's advice\n")
            }
            for finding in findings { context.stdout.write(finding.text + "\n") }
            return findings.contains { $0.severity == .critical } ? ExitCode.failure : ExitCode.success
        } catch {
            context.stderr.write("agent-runner: \(error.message)\n")
            return ExitCode.failure
        }
    }
}

/// Prints alerts as the original monitor does (`[CRIT] oauth_fail — ...`, or its JSON line),
/// blips, give-ups, auto-stops and clock skew on stderr.
final class RemoteMonitorOutput: @unchecked Sendable {  // Used on the watch loop's thread only (its reports).
    private let context: CommandContext
    private let json: Bool
    private let once: Bool
    private var reportedSkew: Double?
    private let formatter = AlertFormatter(.original(namesHost: true))
    private(set) var lastRowHealthy = false

    init(context: CommandContext, json: Bool, once: Bool) {
        self.context = context
        self.json = json
        self.once = once
    }

    func handle(_ report: WatchReport) {
        switch report {
        case .polled(let poll, let monitor):
            let row = HostRow(poll: poll, monitor: monitor)
            lastRowHealthy = row.isHealthy
            if let skew = poll.facts?.clockSkewS, abs(skew) >= 5, reportedSkew.map({ abs($0 - skew) >= 5 }) ?? true {
                reportedSkew = skew
                let direction = skew > 0 ? "ahead of" : "behind"
                context.stderr.write(
                    "agent-runner: \(poll.host)'s clock is \(HumanText.duration(seconds: abs(skew))) \(direction) "
                        + "this machine's; supervisor_stale is judged on the host's clock (generated_at)\n")
            }
            switch monitor.reachability {
            case .blip, .unreadable:
                context.stderr.write("agent-runner: \(poll.error ?? "\(poll.host): poll failed")\n")
            default:
                break
            }
            if once {
                if json {
                    context.stdout.write(JSONLines.line(.object(row.json())))
                } else {
                    context.stdout.write(TerminalText.sanitize(StatusTable.render([row]), keepNewlines: true))
                }
            }
        case .notification(let notification, _):
            if json {
                context.stdout.write(JSONLines.line(.object(formatter.json(notification))))
            } else {
                context.stdout.write(formatter.line(notification) + "\n")
            }
        case .autoStop(let host, let alert, let outcome):
            switch outcome {
            case .confirmed(let elapsed):
                context.stderr.write(
                    "agent-runner: auto-stopped \(host) (\(alert.detector)), "
                        + "confirmed after \(elapsed.shortText)\n")
            case .failed(let error):
                context.stderr.write("agent-runner: auto-stop of \(host) (\(alert.detector)) failed: \(error)\n")
            case .capped: context.stderr.write("agent-runner: auto-stop of \(host) refused by the cap\n")
            case .dryRun(let command):
                context.stderr.write("agent-runner: dry run: would run on \(host): \(command.joined(separator: " "))\n")
            }
        case .warning(let message):
            context.stderr.write("agent-runner: \(message)\n")
        }
    }
}
