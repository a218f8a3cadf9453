import FleetCore
import SSHTransport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `fleet-status`: one `fleetctl status` over 20 loopback "hosts" (20 ssh aliases onto one sshd
/// listening on 127.0.0.1 … 127.0.0.20, so each alias gets its own connection), cold
/// (connection_reuse = false) and warm (reuse, as `watch` polls), side by side with Debian's
/// `parallel-ssh -p 32` running the same remote command when it is installed. The remote
/// `agent-runner` prints a fixed peek document.
enum FleetStatusScenario {
    static let hostCount = 20

    static func run(rounds: Int) {
        let dir = Bench.temporaryDirectory("status")
        let user = loginUser()
        chmod(dir, 0o755)
        let aliases = (1...hostCount).map { "h" + ($0 < 10 ? "0" : "") + String($0) }
        let document = String(
            decoding: JSONWriter(style: .compact).encode(DetectorsScenario.document(kind: 0)), as: UTF8.self)
        // sshd listens on at most 16 sockets: two servers, ten addresses each, one host per address.
        var servers: [LoopbackSSHServer] = []
        for (part, range) in [("a", 1...10), ("b", 11...hostCount)] {
            let names = range.map { aliases[$0 - 1] }
            let users = user == userName() ? [:] : Dictionary(uniqueKeysWithValues: names.map { ($0, user) })
            do {
                servers.append(
                    try LoopbackSSHServer(
                        .init(
                            aliases: names, users: users, keysInHomes: false,
                            listenAddresses: range.map { "127.0.0.\($0)" }),
                        directory: dir + "/sshd-" + part, runner: PosixProcessRunner(), clock: SystemMonotonicClock()))
            } catch {
                Bench.fail("fleet-status: loopback sshd: \(error)")
            }
        }
        let setup = """
            set -e
            mkdir -p bin out
            cat > bin/agent-runner <<'SH'
            #!/bin/sh
            cat <<'JSON'
            \(document)
            JSON
            SH
            chmod +x bin/agent-runner
            cat \(servers.map { "'\($0.clientConfig)'" }.joined(separator: " ")) > ssh_config
            printf '%s\\n' \(aliases.joined(separator: " ")) > hosts.txt
            for reuse in false true; do
              {
                echo '[defaults]'
                echo 'ssh_config = "\(dir)/ssh_config"'
                echo 'agent_runner = "\(dir)/bin/agent-runner"'
                echo "connection_reuse = $reuse"
                for h in \(aliases.joined(separator: " ")); do printf '[hosts.%s]\\n' "$h"; done
              } > inventory-$reuse.toml
            done
            """
        let made = Bench.shell(setup, in: dir)
        guard made.exit == ExitStatus.terminated(0) else { Bench.fail("fleet-status setup failed: \(made.stderrText)") }
        defer {
            for server in servers { server.stop() }
            Bench.shell(
                "for h in \(aliases.joined(separator: " ")); do ssh -F '\(dir)/ssh_config' -o ControlPath='\(dir)/ctl/%C' -O exit $h >/dev/null 2>&1; done; rm -rf '\(dir)'"
            )
        }
        let environment = [
            "XDG_RUNTIME_DIR": dir.replacingSlashSuffix() + "",
            "HOME": ProcessRequest.currentEnvironment()["HOME"] ?? "/root",
            "PATH": ProcessRequest.currentEnvironment()["PATH"] ?? "/usr/bin:/bin",
        ]
        let fleetctl = Bench.binary("fleetctl")
        var latencies: [Bool: [Double]] = [:]
        func status(_ reuse: Bool) -> Double {
            let started = ContinuousClock.now
            let output = try? PosixProcessRunner().run(
                ProcessRequest(
                    fleetctl,
                    arguments: ["status", "--json", "--parallel", "32", "-i", "\(dir)/inventory-\(reuse).toml"],
                    environment: environment,
                    deadline: .now + .seconds(120)))
            let elapsed = Bench.seconds(ContinuousClock.now - started)
            let rows = (output?.stdoutText.split(separator: "\n") ?? []).compactMap {
                try? JSONParser.strict.parse(Array($0.utf8))
            }
            latencies[reuse, default: []] += rows.compactMap { $0["latency_ms"]?.doubleValue }
            let lines = rows.filter { $0["reachable"] == .bool(true) }.count
            if lines != hostCount {
                Bench.fail(
                    "fleetctl status reached \(lines) of \(hostCount) hosts: \(output?.stderrText ?? "") \(output?.stdoutText.prefix(600) ?? "")"
                )
            }
            return elapsed
        }
        let runs = max(3, min(rounds, 10))
        _ = status(false)
        let cold = Statistics(values: (0..<runs).map { _ in status(false) })
        _ = status(true)
        let warm = Statistics(values: (0..<runs).map { _ in status(true) })
        Bench.say(
            "fleet-status: fleetctl status, \(hostCount) loopback hosts, cold (no reuse): \(cold.line(unit: "ms", scale: 1000))"
        )
        Bench.say(
            "fleet-status: fleetctl status, \(hostCount) loopback hosts, warm (ControlMaster reuse): \(warm.line(unit: "ms", scale: 1000))"
        )
        Bench.say(
            "fleet-status: one host's ssh call inside status: cold \(Statistics(values: latencies[false] ?? []).line(unit: "ms")), warm \(Statistics(values: latencies[true] ?? []).line(unit: "ms"))"
        )

        let pssh = ["/usr/bin/parallel-ssh", "/usr/bin/pssh"].first(where: Directories.isExecutableFile)
        guard let pssh else {
            Bench.say("fleet-status: parallel-ssh not installed (apt-get install -y pssh); no side-by-side figure")
            return
        }
        let remote = "\(dir)/bin/agent-runner peek --json --events 200"
        let psshRuns = (0..<runs).map { _ -> Double in
            let started = ContinuousClock.now
            let output = Bench.shell(
                "'\(pssh)' -p 32 -t 60 -h '\(dir)/hosts.txt' -x '-F \(dir)/ssh_config -o BatchMode=yes -T' -o '\(dir)/out' '\(remote)' > '\(dir)/pssh.log' 2>&1; grep -c SUCCESS '\(dir)/pssh.log'"
            )
            let elapsed = Bench.seconds(ContinuousClock.now - started)
            if output.stdoutText.trimmingCharacters() != String(hostCount) {
                Bench.fail("parallel-ssh reached \(output.stdoutText.trimmingCharacters()) of \(hostCount) hosts")
            }
            return elapsed
        }
        let parallel = Statistics(values: psshRuns)
        Bench.say(
            "fleet-status: parallel-ssh -p 32, same remote command, same hosts: \(parallel.line(unit: "ms", scale: 1000))"
        )
        Bench.say(
            "fleet-status: cold/pssh = \(format(cold.median / parallel.median)), pssh/warm = \(format(parallel.median / warm.median))x"
        )
    }

    /// The user the "hosts" log in as. As root: `fleetbench`, a system user with /bin/sh and no
    /// home (created if missing), so the figures measure ssh and fleetctl, not this machine's
    /// ~/.bashrc (bash runs it for every ssh command; root's here starts pyenv, ~1 s).
    static func loginUser() -> String {
        guard geteuid() == 0 else {
            Bench.say(
                "fleet-status: not root, logging in as \(userName()); its shell start-up files count in every figure")
            return userName()
        }
        // `*` unlocks key logins without a password (useradd leaves the account locked).
        let made = Bench.shell(
            "(id -u fleetbench >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent "
                + "--shell /bin/sh fleetbench) && usermod -p '*' fleetbench")
        guard made.exit.isSuccess else {
            Bench.say(
                "fleet-status: cannot create the user fleetbench (\(made.stderrText)); logging in as root, whose ~/.bashrc counts in every figure"
            )
            return userName()
        }
        return "fleetbench"
    }

    static func userName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "root"
    }
}

extension String {
    func replacingSlashSuffix() -> String { hasSuffix("/") ? String(dropLast()) : self }
    func trimmingCharacters() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\n" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\n" { text = text.dropLast() }
        return String(text)
    }
}
