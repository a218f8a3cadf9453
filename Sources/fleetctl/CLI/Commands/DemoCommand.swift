import FleetControl
import FleetCore
import Monitoring
import SSHTransport

/// `fleetctl demo`: a whole fleet on one machine, without remote hosts or an AI CLI. Starts
/// several agent-runner projects whose built-in demo agents misbehave in the ways a real fleet
/// does, and watches them exactly as `fleetctl watch` watches ssh hosts (only the transport is
/// local), until Ctrl-C or `--duration`; then stops everything it started.
enum DemoCommand {
    static let spec = VerbSpec(
        "demo", summary: "run a local demo fleet: real agent-runner services with demo agents, watched live",
        discussion: """
            Creates four projects under --dir (default: a new folder in /tmp), each a git
            repository with an agent-runner.toml and a demo agent (a shell script standing in for
            an AI CLI): healthy (works), throttled (hits a rate limit once; serve waits for the
            reset), authfail (401 on every round; fleetctl's oauth_fail alert auto-stops it) and
            crashloop (crashes at once; serve's crash-loop breaker stops it with exit 75). Starts
            `agent-runner serve` for each, writes an inventory, and runs the fleetctl watch loop
            over a local transport: the live table, alerts, the demo hook (appending to
            hooks.log) and auto-stop are the real ones. With --ssh the hosts are reached over real
            ssh instead (a private sshd on 127.0.0.1 with its own keys, host key checking on),
            exactly as a remote fleet. Ctrl-C (or --duration, or --until-shown once the rate limit
            resolved, the auto-stop was confirmed and the crash loop stopped its service) stops every
            process it started; the files stay for inspection unless --clean.
            """,
        options: [
            OptionSpec(
                "dir", value: "PATH",
                help: "Where to create the demo projects (default: a new /tmp/fleetctl-demo-XXXXXX)."),
            OptionSpec("duration", value: "S", help: "Stop by itself after this long (e.g. 90s, 5m)."),
            OptionSpec("until-shown", help: "Stop by itself once every behaviour has been shown (about a minute)."),
            OptionSpec(
                "agent-runner", value: "PATH",
                help: "The agent-runner binary (default: the one beside fleetctl, else on PATH)."),
            OptionSpec("clean", help: "Delete the demo folder when done."),
            OptionSpec(
                "ssh", help: "Reach the hosts over real ssh: a private sshd on 127.0.0.1 (needs openssh-server)."),
            OptionSpec(
                "http", value: "ADDRESS:PORT",
                help: "Where to serve the fleet dashboard (default 127.0.0.1:0, a free port; the URL is printed)."),
            WatchExports.httpAllowRemoteOption, HTTPAllowedHostOption.spec,
        ],
        exitCodes: [
            (ExitCode.success, "the demo ran and everything it started was stopped"),
            (ExitCode.failure, "the demo could not be set up (agent-runner or git missing, folder not writable)"),
            (ExitCode.usage, "the command line is wrong"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let duration: Double?
        let listen: (address: String, port: Int)
        let allowedHosts: [HTTPHostCheck.Entry]
        do {
            allowedHosts = try HTTPAllowedHostOption.entries(parsed)
            duration = try parsed.seconds("duration")
            listen = try WatchExports.dashboardListen(parsed) ?? ("127.0.0.1", 0)
        } catch {
            return runner.usageFailure(error, context: context)
        }
        let setup: Setup
        switch Setup.make(parsed, context: context) {
        case .success(let value): setup = value
        case .failure(let failure): return failure.code
        }
        defer { setup.ssh?.stop() }
        context.stderr.write(DemoNarration.introduction(setup.fleet, hosts: setup.hosts.count))

        let services = DemoServices()
        defer {
            services.stopAll(clock: context.effects.clock) { context.stderr.write("fleetctl demo: \($0)\n") }
            if parsed.has("clean") {
                _ = try? setup.processes.run(ProcessRequest("rm", arguments: ["-rf", setup.fleet.root]))
            }
        }
        for host in setup.hosts {
            do {
                try services.start(host, agentRunner: setup.agentRunner, runner: setup.processes)
            } catch {
                context.stderr.write("fleetctl: \(error)\n")
                return ExitCode.failure
            }
        }
        let inventory: Inventory
        do {
            inventory = try FleetctlProgram.inventoryLoader(context).load(path: setup.fleet.inventoryPath)
        } catch {
            context.stderr.write("fleetctl: the demo inventory does not load (a bug): \(error)\n")
            return ExitCode.software
        }
        context.stderr.write(DemoNarration.watching(setup.fleet, ssh: setup.ssh))
        watch(
            inventory, setup: setup, services: services, duration: duration, untilShown: parsed.has("until-shown"),
            json: parsed.has("json"), listen: listen, allowedHosts: allowedHosts, context: context)

        let hookLog = try? LocalFileSystem().readFile(setup.fleet.hookLog)
        let hookLines = hookLog.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let closing = DemoNarration.closing(setup.fleet, services: services.services.count, hookLines: hookLines)
        context.stderr.write(closing)
        return ExitCode.success
    }

    /// The demo's folder with its projects and inventory, the agent-runner it runs, and (with
    /// `--ssh`) its sshd.
    struct Setup {
        var fleet: DemoFleet
        var hosts: [DemoFleet.Host]
        var agentRunner: String
        var ssh: LoopbackSSHServer?
        var processes: any ProcessRunner

        /// Finds agent-runner, makes the folder, starts the sshd and writes the projects; on
        /// failure prints why (and stops the sshd it started).
        static func make(_ parsed: ParsedArguments, context: CommandContext) -> Result<Setup, ExitFailure> {
            let located = AgentRunnerLocator.locate(
                parsed.value("agent-runner"), environment: context.environment,
                currentDirectory: context.currentDirectory)
            guard let agentRunner = located else {
                context.stderr.write(
                    "fleetctl: agent-runner not found beside fleetctl or on PATH; "
                        + "build it (swift build) or pass --agent-runner PATH\n")
                return .failure(ExitFailure(code: ExitCode.failure))
            }
            let fleet: DemoFleet
            do {
                let root = try DemoFleet.root(parsed.value("dir"), currentDirectory: context.currentDirectory)
                fleet = DemoFleet(root: root)
            } catch {
                context.stderr.write("fleetctl: \(error)\n")
                return .failure(ExitFailure(code: ExitCode.failure))
            }
            let processes = PosixProcessRunner()
            var ssh: LoopbackSSHServer?
            do {
                if parsed.has("ssh") {
                    ssh = try DemoFleet.sshServer(
                        in: fleet.root + "/ssh", runner: processes, clock: context.effects.clock)
                }
                let hosts = try fleet.create(agentRunner: agentRunner, runner: processes, sshConfig: ssh?.clientConfig)
                return .success(
                    Setup(
                        fleet: fleet, hosts: hosts, agentRunner: agentRunner, ssh: ssh,
                        processes: processes))
            } catch {
                ssh?.stop()
                context.stderr.write("fleetctl: demo setup failed: \(error)\n")
                return .failure(ExitFailure(code: ExitCode.failure))
            }
        }
    }

    /// The fleetctl watch loop over the demo hosts, until Ctrl-C or `duration`, saying when a
    /// service ends by itself (the crash-loop breaker, an auto-stop).
    private static func watch(
        _ inventory: Inventory, setup: Setup, services: DemoServices, duration: Double?,
        untilShown: Bool, json: Bool, listen: (address: String, port: Int), allowedHosts: [HTTPHostCheck.Entry],
        context: CommandContext
    ) {
        let controlDirectory = setup.ssh == nil ? nil : ControlDirectory.defaultPath(environment: context.environment)
        let monitored = inventory.hosts.compactMap { try? MonitoredHost($0, controlDirectory: controlDirectory) }
        let stateDir = setup.fleet.root + "/fleetctl-state"
        try? StateDirectory.prepare(stateDir)
        let eventLog = EventLogWriter(directory: stateDir, prefix: "fleet-events")
        let executor: any RemoteExecutor =
            setup.ssh != nil
            ? SSHExecutor(environment: context.environment) : LocalExecutor(environment: context.environment)
        let hooks = HookDispatcher(environment: context.environment, eventLog: eventLog) { result in
            if let error = result.error {
                context.stderr.write("fleetctl: hook \(result.invocation.hook) for \(result.host): \(error)\n")
            }
        }
        let terminal = (context.stdout as? FileDescriptorOutput)?.isTerminal ?? false
        let output = WatchOutput(context: context, json: json, terminal: terminal && !json)
        let progress = DemoProgress()
        let dashboard: FleetDashboard?
        do {
            dashboard = try FleetDashboard.start(
                address: listen.address, port: listen.port, hosts: monitored, inventory: inventory, stateDir: stateDir,
                remote: executor, wallClock: context.effects.wallClock, fleetName: "demo fleet in " + setup.fleet.root,
                allowedHosts: allowedHosts)
            context.stderr.write("fleetctl demo: the dashboard is on \(dashboard!.url) (open it in a browser)\n")
        } catch {
            dashboard = nil
            context.stderr.write("fleetctl demo: no dashboard: \(error)\n")
        }
        defer { dashboard?.stop() }
        let watcher = FleetWatch.loop(
            hosts: monitored, inventory: inventory, stateDir: stateDir, eventLog: eventLog, hooks: hooks,
            remote: executor, effects: context.effects, options: WatchLoop.Options()
        ) { report in
            progress.note(report)
            dashboard?.record(report)
            output.handle(report)
        }
        StopRequest.installSignalHandlers()
        let clock = context.effects.clock
        let deadline = duration.map { clock.now + .seconds($0) }
        watcher.run {
            for exit in services.newExits() {
                progress.note(exit)
                if json {
                    context.stdout.write(JSONWriter(style: .compact).string(.object(exit.json)) + "\n")
                } else {
                    output.line(exit.line)
                }
            }
            return StopRequest().isRequested || deadline.map { clock.now >= $0 } ?? false
                || (untilShown && progress.isComplete)
        }
        if let ssh = executor as? SSHExecutor {
            ssh.closeControlMasters(for: monitored.map(\.target.remote))
        }
    }
}
