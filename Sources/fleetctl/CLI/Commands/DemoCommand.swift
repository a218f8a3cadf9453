#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
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
            exactly as a remote fleet. Ctrl-C (or --duration) stops every process it started; the
            files stay for inspection unless --clean.
            """,
        options: [
            OptionSpec("dir", value: "PATH", help: "Where to create the demo projects (default: a new /tmp/fleetctl-demo-XXXXXX)."),
            OptionSpec("duration", value: "S", help: "Stop by itself after this long (e.g. 90s, 5m)."),
            OptionSpec("agent-runner", value: "PATH", help: "The agent-runner binary (default: the one beside fleetctl, else on PATH)."),
            OptionSpec("clean", help: "Delete the demo folder when done."),
            OptionSpec("ssh", help: "Reach the hosts over real ssh: a private sshd on 127.0.0.1 (needs openssh-server)."),
        ],
        exitCodes: [
            (ExitCode.success, "the demo ran and everything it started was stopped"),
            (ExitCode.failure, "the demo could not be set up (agent-runner or git missing, folder not writable)"),
            (ExitCode.usage, "the command line is wrong"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let duration: Double?
        do {
            duration = try parsed.seconds("duration")
        } catch {
            return runner.usageFailure(error, context: context)
        }
        guard let agentRunner = locateAgentRunner(parsed.value("agent-runner"), context: context) else {
            context.stderr.write("fleetctl: agent-runner not found beside fleetctl or on PATH; build it (swift build) or pass --agent-runner PATH\n")
            return ExitCode.failure
        }
        let root: String
        if let dir = parsed.value("dir") {
            root = ConfigPaths.absolute(dir, against: context.currentDirectory)
        } else {
            var template = Array("/tmp/fleetctl-demo-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else {
                context.stderr.write("fleetctl: cannot create a folder in /tmp: \(SystemError.text(errno))\n")
                return ExitCode.failure
            }
            root = String(cString: made)
        }
        let fleet = DemoFleet(root: root)
        let processRunner = PosixProcessRunner()
        var sshServer: DemoSSHServer?
        defer { sshServer?.stop() }
        if parsed.has("ssh") {
            do {
                sshServer = try DemoSSHServer.start(in: root + "/ssh", aliases: DemoFleet.behaviours.map(\.name), runner: processRunner)
            } catch {
                context.stderr.write("fleetctl: demo setup failed: \(error)\n")
                return ExitCode.failure
            }
        }
        let hosts: [DemoFleet.Host]
        do {
            hosts = try fleet.create(agentRunner: agentRunner, runner: processRunner, sshConfig: sshServer?.clientConfig)
        } catch {
            context.stderr.write("fleetctl: demo setup failed: \(error)\n")
            return ExitCode.failure
        }
        context.stderr.write("fleetctl demo: \(hosts.count) agent-runner projects in \(root)\n")
        for entry in DemoFleet.behaviours {
            context.stderr.write("  \(entry.name.padding(to: 10)) \(entry.description)\n")
        }

        // Start a real serve per project, in its own session, output in its log dir.
        var serves: [(host: DemoFleet.Host, process: RunningProcess)] = []
        defer {
            stopAll(serves, context: context)
            if parsed.has("clean") { _ = try? processRunner.run(ProcessRequest("rm", arguments: ["-rf", root])) }
        }
        for host in hosts {
            Directories.create(host.logDir)
            do {
                let process = try processRunner.spawn(ProcessRequest(
                    agentRunner, arguments: ["serve", "--config", host.configPath], workingDirectory: host.directory,
                    standardOutput: .appendToFile(host.logDir + "/serve.log"), standardError: .mergeIntoStandardOutput,
                    grouping: .newSession))
                serves.append((host, process))
            } catch {
                context.stderr.write("fleetctl: cannot start agent-runner serve for \(host.name): \(error)\n")
                return ExitCode.failure
            }
        }

        let inventory: Inventory
        do {
            inventory = try InventoryLoader(environment: context.configEnvironment, fileSystem: context.fileSystem).load(path: fleet.inventoryPath)
        } catch {
            context.stderr.write("fleetctl: the demo inventory does not load (a bug): \(error)\n")
            return ExitCode.software
        }
        let controlDirectory = sshServer == nil ? nil : ControlDirectory.defaultPath(environment: context.environment)
        let monitored = inventory.hosts.compactMap { try? MonitoredHost($0, controlDirectory: controlDirectory) }
        context.stderr.write("  inventory: \(fleet.inventoryPath); hook log: \(fleet.hookLog)\n")
        if let sshServer { context.stderr.write("  transport: ssh to 127.0.0.1:\(sshServer.port) (client config \(sshServer.clientConfig))\n") }
        context.stderr.write("  watching (Ctrl-C to stop everything)...\n\n")

        let stateDir = root + "/fleetctl-state"
        try? StateDirectory.prepare(stateDir)
        let eventLog = EventLogWriter(directory: stateDir, prefix: "fleet-events")
        let executor: any RemoteExecutor = sshServer == nil ? LocalExecutor(environment: context.environment) : SSHExecutor(environment: context.environment)
        let hooks = HookDispatcher(environment: context.environment, eventLog: eventLog) { result in
            if let error = result.error {
                context.stderr.write("fleetctl: hook \(result.invocation.hook) for \(result.host): \(error)\n")
            }
        }
        let terminal = (context.stdout as? FileDescriptorOutput)?.isTerminal ?? false
        let output = WatchOutput(context: context, json: parsed.has("json"), terminal: terminal && !parsed.has("json"))
        let watcher = FleetWatch.loop(
            hosts: monitored, inventory: inventory, stateDir: stateDir, eventLog: eventLog, hooks: hooks,
            remote: executor, effects: context.effects, options: WatchLoop.Options(), report: output.handle)
        StopRequest.installSignalHandlers()
        let deadline = duration.map { ContinuousClock.now + .seconds($0) }
        var reported = Set<String>()
        watcher.run {
            // Say when a service ends by itself (the crash-loop breaker, an auto-stop).
            for (host, process) in serves where !reported.contains(host.name) {
                guard let status = process.poll() else { continue }
                reported.insert(host.name)
                let meaning: String
                switch status {
                case .terminated(ExitCode.crashLoop): meaning = "crash_loop breaker: 5 short crashes in a row"
                case .terminated(ExitCode.success): meaning = "stopped cleanly"
                case .terminated(ExitCode.config): meaning = "config_broken"
                default: meaning = status.description
                }
                if parsed.has("json") {
                    context.stdout.write(JSONWriter(style: .compact).string(["type": "serve_exit", "host": .string(host.name), "status": .string(status.description), "meaning": .string(meaning)]) + "\n")
                } else {
                    output.line("\(host.name): agent-runner serve exited (\(status), \(meaning))")
                }
            }
            return StopRequest().isRequested || deadline.map { ContinuousClock.now >= $0 } ?? false
        }

        if let ssh = executor as? SSHExecutor {
            for host in monitored { _ = ssh.closeControlMaster(for: host.target.remote, timeout: .seconds(2)) }
        }
        context.stderr.write("\nfleetctl demo: stopping \(serves.count) agent-runner services...\n")
        let hookLines = (try? LocalFileSystem().readFile(fleet.hookLog)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        if !hookLines.isEmpty {
            context.stderr.write("hook notifications (\(fleet.hookLog)):\n" + hookLines)
        }
        context.stderr.write("""
            explore: agent-runner peek --config \(root)/throttled/agent-runner.toml
                     agent-runner events --config \(root)/authfail/agent-runner.toml --kind agent_auth_error_detected,monitor_auto_stop_triggered
                     fleetctl check -i \(fleet.inventoryPath)

            """)
        return ExitCode.success
    }

    /// SIGTERM to every serve (they finish their round), then SIGKILL to whatever is left of
    /// each session after 10 s: the demo leaves nothing running.
    static func stopAll(_ serves: [(host: DemoFleet.Host, process: RunningProcess)], context: CommandContext) {
        for (_, process) in serves { _ = try? process.signal(SIGTERM) }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline && serves.contains(where: { $0.process.poll() == nil }) {
            usleep(100_000)
        }
        for (host, process) in serves {
            if process.poll() == nil {
                context.stderr.write("fleetctl demo: \(host.name) did not stop in 10 s; killing it\n")
                _ = process.terminate(grace: .seconds(1))
            }
            // The agent of a stopped serve has exited with its round; kill any straggler of the session.
            if let agentPID = try? PidFile(path: host.logDir + "/agent.pid").runningPID() {
                kill(-agentPID, SIGKILL)
            }
        }
    }

    static func locateAgentRunner(_ flag: String?, context: CommandContext) -> String? {
        if let flag { return Directories.isExecutableFile(flag) ? ConfigPaths.absolute(flag, against: context.currentDirectory) : nil }
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if count > 0 {
            let exe = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let beside = ConfigPaths.directory(of: exe) + "/agent-runner"
            if Directories.isExecutableFile(beside) { return beside }
        }
        return Directories.resolveExecutable("agent-runner", path: context.environment["PATH"] ?? "/usr/bin:/bin", base: context.currentDirectory)
    }
}

extension String {
    /// Left-aligned in a column of `width` characters.
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
