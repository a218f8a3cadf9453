import FleetControl
import FleetCore
import Monitoring
import SSHTransport

/// `fleetctl watch [SELECTOR]`: continuous polling, alerting, hooks and auto-stop.
enum WatchCommand {
    static let stateDirOption = OptionSpec(
        "state-dir", value: "PATH",
        help:
            "Where alert state, silences and fleet-events-YYYY-MM.jsonl live (default: state_dir from the inventory, else a directory of the inventory file's own under ~/.local/state/fleetctl; `fleetctl check` prints it)."
    )

    static let spec = VerbSpec(
        "watch", summary: "poll the selected hosts continuously: detectors, alerts, hooks, auto-stop",
        discussion: """
            Polls each host every poll_interval_s (with jitter; after an ssh blip sooner, with
            back-off), reusing one ssh connection per host. Runs the detectors with the host's
            thresholds; an alert fires after alert_for_s, repeats every alert_repeat_s and resolves
            once gone. ssh failures inside remote_failure_tolerance_s are blips
            (monitor_remote_blip); past it the host is unreachable (monitor_remote_giveup alert)
            and its other alerts are held. Hooks run for notifications not silenced; detectors in
            auto_stop.on stop the service (agent-runner stop, confirmed by re-polling), at most
            max_per_10m hosts per 10 minutes fleet-wide. Everything is logged to
            fleet-events-YYYY-MM.jsonl in the state directory; alert state is saved there after
            every batch of polls and restored on start, so a restart notifies nothing twice.
            On a terminal a live table redraws in place; otherwise alert lines are printed, or
            JSON Lines with --json ({"type": "poll"|"alert"|"auto_stop", ...}).
            """,
        options: [
            stateDirOption,
            OptionSpec("cycles", value: "N", help: "Stop once every host has been polled N times."),
            OptionSpec("once", help: "Poll every host once (--cycles 1)."),
            OptionSpec("dry-run", help: "Show auto-stops instead of performing them."),
            FleetctlProgram.excludeOption, FleetctlProgram.parallelOption,
            WatchExports.metricsListenOption, WatchExports.httpOption, WatchExports.httpAllowRemoteOption,
            HTTPAllowedHostOption.spec, WatchExports.shardOption,
        ],
        positionals: [FleetctlProgram.selectorPositional],
        exitCodes: [
            (ExitCode.success, "stopped by SIGINT/SIGTERM or after --cycles"),
            (ExitCode.failure, "the state directory or its saved state cannot be used, or another watch holds it"),
            (ExitCode.usage, "the command line or the selector is wrong"),
            (ExitCode.config, "the inventory is missing, unreadable or invalid"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let resolved: FleetTargets
        switch FleetTargets.resolve(
            parsed, context: context, runner: runner, selector: parsed.positionals.first, verb: spec.name)
        {
        case .success(let value): resolved = value
        case .failure(let failure): return failure.code
        }
        var options = WatchLoop.Options()
        var hosts = resolved.monitored
        let listen: (address: String, port: Int)?
        let dashboardListen: (address: String, port: Int)?
        let allowedHosts: [HTTPHostCheck.Entry]
        do {
            allowedHosts = try HTTPAllowedHostOption.entries(parsed)
            listen = try WatchExports.listen(parsed)
            dashboardListen = try WatchExports.dashboardListen(parsed)
            if let shard = try WatchExports.shard(parsed) {
                hosts = hosts.filter { shard.contains($0.name) }
                if hosts.isEmpty {
                    context.stderr.write(
                        "fleetctl: shard \(shard) holds none of the \(resolved.targets.count) selected host\(resolved.targets.count == 1 ? "" : "s"); use fewer shards\n"
                    )
                    return ExitCode.failure
                }
            }
            options.parallel = try FleetTargets.parallel(parsed)
            options.cycles = parsed.has("once") ? 1 : try parsed.integer("cycles", minimum: 1)
        } catch { return runner.usageFailure(error, context: context) }
        options.dryRun = parsed.has("dry-run")

        let stateDir = StateDirectory.resolve(
            flag: parsed.value("state-dir"), inventory: resolved.inventory.fleet.stateDir,
            environment: context.environment, home: context.home)
        if parsed.value("state-dir") == nil, resolved.inventory.fleet.stateDirIsDefault,
            let note = StateDirectory.legacyNote(
                stateDir: stateDir, stateHome: StateDirectory.home(environment: context.environment, home: context.home)
            )
        {
            context.stderr.write("fleetctl: \(note)\n")
        }
        let lock: FileLock
        do {
            try StateDirectory.prepare(stateDir)
            lock = try FileLock.acquire(StateDirectory.file("watch.lock", in: stateDir))
        } catch let error as FileLock.HeldError {
            context.stderr.write(
                "fleetctl: another fleetctl watch uses \(stateDir) (\(error)); stop it or pass another --state-dir\n")
            return ExitCode.failure
        } catch {
            context.stderr.write("fleetctl: \(error)\n")
            return ExitCode.failure
        }
        defer { lock.release() }

        let eventLog = EventLogWriter(directory: stateDir, prefix: "fleet-events")
        let executor = FleetTargets.executor(context)
        let hooks = HookDispatcher(environment: context.environment, eventLog: eventLog) { result in
            if let error = result.error {
                context.stderr.write("fleetctl: hook \(result.invocation.hook) for \(result.host): \(error)\n")
            }
        }
        let output = WatchOutput(
            context: context, json: parsed.has("json"), terminal: !parsed.has("json") && isTerminal(context))
        let exports: WatchExports
        do {
            let names = Set(hosts.map(\.name))
            exports = try WatchExports.start(
                listen: listen, allowedHosts: allowedHosts, hosts: resolved.hosts.filter { names.contains($0.name) },
                inventory: resolved.inventory,
                eventLog: eventLog, context: context)
        } catch {
            context.stderr.write("fleetctl: \(error)\n")
            return ExitCode.failure
        }
        defer { exports.finish() }
        var dashboard: FleetDashboard?
        if let dashboardListen {
            do {
                dashboard = try FleetDashboard.start(
                    address: dashboardListen.address, port: dashboardListen.port, hosts: hosts,
                    inventory: resolved.inventory, stateDir: stateDir, remote: executor,
                    wallClock: context.effects.wallClock, fleetName: resolved.inventory.displayPath,
                    allowedHosts: allowedHosts)
            } catch {
                context.stderr.write("fleetctl: \(error)\n")
                return ExitCode.failure
            }
            context.stderr.write("fleetctl: dashboard on \(dashboard!.url) (read-only; JSON at /api/state)\n")
        }
        defer { dashboard?.stop() }
        let watcher = FleetWatch.loop(
            hosts: hosts, inventory: resolved.inventory, stateDir: stateDir, eventLog: eventLog, hooks: hooks,
            remote: executor, effects: context.effects, options: options
        ) { [dashboard] report in
            exports.handle(report)
            dashboard?.record(report)
            output.handle(report)
        }
        do {
            try watcher.restore()
        } catch {
            context.stderr.write("fleetctl: \(error)\n")
            return ExitCode.failure
        }
        StopRequest.installSignalHandlers()
        watcher.run { StopRequest().isRequested }
        executor.closeControlMasters(for: hosts.map(\.target.remote))
        if let cycles = options.cycles { output.summarize(cycles: cycles, hosts: hosts.count) }
        return ExitCode.success
    }

    private static func isTerminal(_ context: CommandContext) -> Bool {
        (context.stdout as? FileDescriptorOutput)?.isTerminal ?? false
    }
}

/// Formats watch reports: a live table on a terminal, alert lines otherwise, JSON Lines with --json.
final class WatchOutput: @unchecked Sendable {  // Used on the watch loop's thread only (its reports).
    private let context: CommandContext
    private let json: Bool
    private let terminal: Bool
    private var rows: [String: HostRow] = [:]
    private var order: [String] = []
    private var recent: [String] = []
    private var notifications = 0
    private let formatter = AlertFormatter(.fleet)

    init(context: CommandContext, json: Bool, terminal: Bool) {
        self.context = context
        self.json = json
        self.terminal = terminal
    }

    func handle(_ report: WatchReport) {
        switch report {
        case .polled(let poll, let monitor):
            let row = HostRow(poll: poll, monitor: monitor)
            if rows[poll.host] == nil { order.append(poll.host) }
            rows[poll.host] = row
            if json {
                var object: JSONObject = ["type": "poll"]
                for (key, value) in row.json() { object[key] = value }
                if object["pending"] == nil { object["pending"] = .array([]) }
                write(object)
            } else if terminal {
                redraw()
            }
        case .notification(let notification, let silence):
            notifications += 1
            if json {
                write(formatter.json(notification, silence: silence))
            } else {
                line(formatter.line(notification, silence: silence))
            }
        case .autoStop(let host, let alert, let outcome):
            let text: String
            var object: JSONObject = ["type": "auto_stop", "host": .string(host), "detector": .string(alert.detector)]
            switch outcome {
            case .confirmed(let elapsed):
                text =
                    "auto-stop \(host) (\(alert.detector)): stopped, confirmed after "
                    + elapsed.shortText
                object["result"] = "confirmed"
            case .failed(let error):
                text = "auto-stop \(host) (\(alert.detector)) FAILED: \(error)"
                object["result"] = "failed"
                object["error"] = .string(error)
            case .capped(let limit):
                text =
                    "auto-stop \(host) (\(alert.detector)) NOT done: fleet-wide cap of \(limit) per 10 minutes reached"
                object["result"] = "capped"
            case .dryRun(let command):
                text = "dry run: would auto-stop \(host) (\(alert.detector)): \(command.joined(separator: " "))"
                object["result"] = "dry_run"
            }
            if json { write(object) } else { line(text) }
        case .warning(let message):
            context.stderr.write("fleetctl: \(message)\n")
        }
    }

    /// The result line of a bounded run (`--once`, `--cycles N`), so a run in which nothing fired
    /// still says what it did: `watch: 2 hosts polled 1 time: all healthy, 0 notifications`, or
    /// with --json `{"type":"summary","cycles","hosts","healthy","unhealthy":[...],"notifications"}`.
    func summarize(cycles: Int, hosts: Int) {
        let unhealthy = order.compactMap { rows[$0] }.filter { !$0.isHealthy }
        if json {
            write([
                "type": "summary", "cycles": .int(Int64(cycles)), "hosts": .int(Int64(hosts)),
                "healthy": .int(Int64(rows.count - unhealthy.count)),
                "unhealthy": .array(unhealthy.map { .string($0.host) }),
                "notifications": .int(Int64(notifications)),
            ])
            return
        }
        let polled = "\(hosts) host\(hosts == 1 ? "" : "s") polled \(cycles) time\(cycles == 1 ? "" : "s")"
        let health =
            unhealthy.isEmpty
            ? (rows.count == hosts ? "all healthy" : "\(rows.count) answered, all healthy")
            : "\(unhealthy.count) unhealthy ("
                + unhealthy.map { "\($0.host): \($0.alertsCell)" }.joined(separator: "; ")
                + ")"
        let notified = "\(notifications) notification\(notifications == 1 ? "" : "s")"
        context.stdout.write(TerminalText.sanitize("watch: \(polled): \(health), \(notified)") + "\n")
    }

    private func write(_ object: JSONObject) {
        context.stdout.write(JSONWriter(style: .compact).string(.object(object)) + "\n")
    }

    func line(_ raw: String) {
        let text = TerminalText.sanitize(raw)
        if terminal {
            recent.append(text)
            if recent.count > 8 { recent.removeFirst(recent.count - 8) }
            redraw()
        } else {
            context.stdout.write(text + "\n")
        }
    }

    private func redraw() {
        // Host-provided text is sanitized before our own escapes are added around it.
        var screen =
            "\u{1B}[H\u{1B}[2J"
            + TerminalText.sanitize(StatusTable.render(order.compactMap { rows[$0] }), keepNewlines: true)
        if !recent.isEmpty { screen += "\n" + recent.joined(separator: "\n") + "\n" }
        context.stdout.write(screen)
    }
}
