import FleetCore
import SSHTransport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A benchmark fleet on this machine (``LoopbackFleetLayout``): OpenSSH servers on loopback
/// addresses, every host logging in as ``BenchUser``, and a fake remote `agent-runner` that
/// prints a fixed peek document (`peek --json` of a healthy host: 12 rounds, 40 events). Shared
/// by `fleet-status` (20 hosts) and `fleet-scale` (up to 500), with their inventories, the
/// host list for parallel-ssh, and the clean-up of everything they leave behind.
final class LoopbackFleet: Sendable {
    let layout: LoopbackFleetLayout
    let directory: String
    let servers: [LoopbackSSHServer]
    let aliases: [String]

    /// Every alias, for `ssh -F`.
    var sshConfig: String { directory + "/ssh_config" }
    /// Where fleetctl keeps its ControlMasters with this fleet's environment.
    var controlDirectory: String { directory + "/fleetctl-ssh" }
    /// fleetctl's environment: XDG_RUNTIME_DIR puts its ControlMasters in ``controlDirectory``.
    var environment: [String: String] {
        let current = ProcessRequest.currentEnvironment()
        return [
            "XDG_RUNTIME_DIR": directory, "HOME": current["HOME"] ?? "/root",
            "PATH": current["PATH"] ?? "/usr/bin:/bin",
        ]
    }

    /// Starts the servers and writes the fake agent-runner; fails the bench on any setup error.
    init(hosts: Int, label: String) {
        layout = LoopbackFleetLayout(hosts: hosts)
        let aliases = layout.aliases
        self.aliases = aliases
        directory = Bench.temporaryDirectory(label)
        chmod(directory, 0o755)  // the login user reaches its key and the fake agent-runner inside
        let user = BenchUser.login()
        let runner = PosixProcessRunner()
        var started: [LoopbackSSHServer] = []
        for (number, range) in layout.servers.enumerated() {
            let names = range.map { aliases[$0] }
            let users = user == BenchUser.current() ? [:] : Dictionary(uniqueKeysWithValues: names.map { ($0, user) })
            do {
                started.append(
                    try LoopbackSSHServer(
                        .init(
                            aliases: names, users: users, keysInHomes: false,
                            listenAddresses: range.map(LoopbackFleetLayout.address)),
                        directory: directory + "/sshd-\(number)", runner: runner, clock: SystemMonotonicClock()))
            } catch {
                for server in started { server.stop() }
                Bench.fail("loopback sshd \(number + 1) of \(layout.servers.count): \(error)")
            }
        }
        servers = started
        let document = String(
            decoding: JSONWriter(style: .compact).encode(DetectorsScenario.document(kind: 0)), as: UTF8.self)
        let setup = """
            set -e
            mkdir -p bin
            cat > bin/agent-runner <<'SH'
            #!/bin/sh
            cat <<'JSON'
            \(document)
            JSON
            SH
            chmod 755 bin/agent-runner
            cat \(servers.map { "'\($0.clientConfig)'" }.joined(separator: " ")) > ssh_config
            """
        let made = Bench.shell(setup, in: directory)
        guard made.exit.isSuccess else {
            stop()
            Bench.fail("loopback fleet setup failed: \(made.stderrText)")
        }
    }

    /// The fake agent-runner; with a delay, one that sleeps first, standing in for a host that
    /// answers slowly (a long network round trip or a busy host).
    func agentRunner(delayMs: Int = 0) -> String {
        guard delayMs > 0 else { return directory + "/bin/agent-runner" }
        let path = directory + "/bin/agent-runner-\(delayMs)ms"
        if !Directories.isExecutableFile(path) {
            let script =
                "#!/bin/sh\nsleep \(format(Double(delayMs) / 1000))\nexec '\(directory)/bin/agent-runner' \"$@\"\n"
            Bench.shell("cat > '\(path)' <<'SH'\n\(script)SH\nchmod 755 '\(path)'")
        }
        return path
    }

    /// An inventory of the first `hosts` hosts.
    func inventory(
        hosts: Int, name: String, connectionReuse: Bool = true, pollIntervalS: Double = 30, delayMs: Int = 0
    ) -> String {
        let path = directory + "/inventory-\(name).toml"
        var text = """
            [defaults]
            ssh_config = "\(sshConfig)"
            agent_runner = "\(agentRunner(delayMs: delayMs))"
            connection_reuse = \(connectionReuse)
            poll_interval_s = \(pollIntervalS)

            """
        for alias in aliases.prefix(hosts) { text += "[hosts.\(alias)]\n" }
        write(text, to: path)
        return path
    }

    /// A host list for parallel-ssh (`-h`): the first `hosts` aliases.
    func hostList(_ hosts: Int) -> String {
        let path = directory + "/hosts-\(hosts).txt"
        write(aliases.prefix(hosts).joined(separator: "\n") + "\n", to: path)
        return path
    }

    /// ControlMasters serving this fleet (`ssh: <controlDirectory>/<hash> [mux]`, as ssh names a
    /// backgrounded master), by pid.
    func controlMasters(in snapshot: [ProcessStat] = ProcessStat.snapshot()) -> [ProcessStat] {
        snapshot.filter { $0.command == "ssh" && !$0.isZombie && isControlMaster($0.pid) }
    }

    /// Whether `pid` is one of this fleet's masters (its process title names the control directory).
    func isControlMaster(_ pid: Int32) -> Bool {
        ProcessTree.commandLine(of: pid)?.first?.hasPrefix("ssh: " + controlDirectory + "/") == true
    }

    /// Stops masters fleetctl left behind (it closes its own when a watch ends), reporting how many.
    @discardableResult
    func stopLeftoverMasters() -> Int {
        let left = controlMasters()
        for master in left { kill(master.pid, SIGTERM) }
        return left.count
    }

    /// Stops every server and master and removes the directory; then checks that nothing this
    /// fleet started is still running.
    func stop() {
        let masters = stopLeftoverMasters()
        if masters > 0 { Bench.say("  (stopped the \(masters) ControlMasters still running)") }
        // sshd's per-connection processes start sessions of their own; find them before the stop.
        let sessions = ProcessFamily.descendants(of: servers.compactMap(\.serverPID), in: ProcessStat.snapshot())
        for server in servers {
            server.stop()
            server.removeInstalledKeys()
        }
        let leftovers =
            sessions.filter(ProcessFamily.isRunning).map(\.pid)
            + ProcessStat.snapshot().filter { stat in
                !stat.isZombie && (ProcessTree.commandLine(of: stat.pid) ?? []).contains { $0.contains(directory) }
            }.map(\.pid)
        for pid in leftovers { kill(pid, SIGKILL) }
        if !leftovers.isEmpty {
            Bench.say("  (killed \(leftovers.count) processes left behind: \(leftovers.prefix(5)))")
        }
        Bench.shell("rm -rf '\(directory)'")
    }

    private func write(_ text: String, to path: String) {
        do { try AtomicFile.write(text, to: path, mode: 0o644) } catch { Bench.fail("cannot write \(path): \(error)") }
    }
}
