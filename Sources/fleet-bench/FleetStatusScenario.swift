#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FleetCore

/// `fleet-status`: one `fleetctl status` over 20 loopback "hosts" (20 ssh aliases onto one sshd
/// listening on 127.0.0.1 … 127.0.0.20, so each alias gets its own connection), cold
/// (connection_reuse = false) and warm (reuse, as `watch` polls), side by side with Debian's
/// `parallel-ssh -p 32` running the same remote command when it is installed. The remote
/// `agent-runner` prints a fixed peek document.
enum FleetStatusScenario {
    static let hostCount = 20

    static func run(rounds: Int) {
        guard Directories.isExecutableFile("/usr/sbin/sshd") else { Bench.fail("fleet-status needs /usr/sbin/sshd (apt-get install -y openssh-server)") }
        let dir = Bench.temporaryDirectory("status")
        let user = loginUser()
        chmod(dir, 0o755)
        let port = 20_000 + Int(getpid() % 20_000)
        let aliases = (1...hostCount).map { "h" + ($0 < 10 ? "0" : "") + String($0) }
        let document = String(decoding: JSONWriter(style: .compact).encode(DetectorsScenario.document(kind: 0)), as: UTF8.self)
        // sshd listens on at most 16 sockets: two servers, ten addresses each.
        let listenA = (1...10).map { "ListenAddress 127.0.0.\($0)" }.joined(separator: "\n")
        let listenB = (11...hostCount).map { "ListenAddress 127.0.0.\($0)" }.joined(separator: "\n")
        let hostBlocks = aliases.enumerated().map { index, alias in
            "Host \(alias)\n  HostName 127.0.0.\(index + 1)\n  Port \(port)\n  User \(user)\n  IdentityFile \(dir)/client_key\n  IdentitiesOnly yes\n  UserKnownHostsFile \(dir)/known_hosts\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n"
        }.joined(separator: "\n")
        let setup = """
            set -e
            mkdir -p bin out
            ssh-keygen -q -t ed25519 -N '' -f host_key
            ssh-keygen -q -t ed25519 -N '' -f client_key
            cp client_key.pub authorized_keys
            chmod 644 authorized_keys
            cat > bin/agent-runner <<'SH'
            #!/bin/sh
            cat <<'JSON'
            \(document)
            JSON
            SH
            chmod +x bin/agent-runner
            key=$(cut -d' ' -f1-2 host_key.pub)
            for i in $(seq 1 \(hostCount)); do echo "[127.0.0.$i]:\(port) $key"; done > known_hosts
            cat > ssh_config <<'CFG'
            \(hostBlocks)
            CFG
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
        for (part, listen) in [("a", listenA), ("b", listenB)] {
            let config = """
                Port \(port)
                \(listen)
                HostKey \(dir)/host_key
                PidFile \(dir)/sshd-\(part).pid
                AuthorizedKeysFile \(dir)/authorized_keys
                StrictModes no
                UsePAM no
                PermitRootLogin prohibit-password
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UseDNS no
                MaxStartups 200
                MaxSessions 200
                LogLevel INFO

                """
            do { try AtomicFile.write(config, to: dir + "/sshd_config-" + part) } catch { Bench.fail("cannot write the sshd config: \(error)") }
        }
        let made = Bench.shell(setup, in: dir)
        guard made.exit == ExitStatus.terminated(0) else { Bench.fail("fleet-status setup failed: \(made.stderrText)") }
        if geteuid() == 0 { mkdir("/run/sshd", 0o755) }
        var servers: [RunningProcess] = []
        for part in ["a", "b"] {
            do {
                servers.append(try PosixProcessRunner().spawn(ProcessRequest(
                    "/usr/sbin/sshd", arguments: ["-D", "-e", "-f", dir + "/sshd_config-" + part], standardInput: .null,
                    standardOutput: .appendToFile(dir + "/sshd.log"), standardError: .appendToFile(dir + "/sshd.log"))))
            } catch {
                Bench.fail("cannot start sshd: \(error)")
            }
        }
        defer {
            for server in servers { _ = server.terminate(grace: .seconds(2)) }
            Bench.shell("for h in \(aliases.joined(separator: " ")); do ssh -F '\(dir)/ssh_config' -o ControlPath='\(dir)/ctl/%C' -O exit $h >/dev/null 2>&1; done; rm -rf '\(dir)'")
        }
        var listening = 0
        for _ in 0..<100 where listening < hostCount {
            usleep(50_000)
            let log = String(decoding: (try? LocalFileSystem().readFile(dir + "/sshd.log")) ?? [], as: UTF8.self)
            listening = log.split(whereSeparator: \.isNewline).filter { $0.contains("Server listening on 127.0.0.") }.count
            if servers.contains(where: { $0.poll() != nil }) { Bench.fail("sshd exited: \(log)") }
        }
        if listening < hostCount { Bench.fail("sshd listens on \(listening) of \(hostCount) addresses: " + String(decoding: (try? LocalFileSystem().readFile(dir + "/sshd.log")) ?? [], as: UTF8.self)) }
        let environment = ["XDG_RUNTIME_DIR": dir.replacingSlashSuffix() + "", "HOME": ProcessRequest.currentEnvironment()["HOME"] ?? "/root",
                           "PATH": ProcessRequest.currentEnvironment()["PATH"] ?? "/usr/bin:/bin"]
        let fleetctl = Bench.binary("fleetctl")
        var latencies: [Bool: [Double]] = [:]
        func status(_ reuse: Bool) -> Double {
            let started = ContinuousClock.now
            let output = try? PosixProcessRunner().run(ProcessRequest(
                fleetctl, arguments: ["status", "--json", "--parallel", "32", "-i", "\(dir)/inventory-\(reuse).toml"], environment: environment,
                deadline: .now + .seconds(120)))
            let elapsed = Bench.seconds(ContinuousClock.now - started)
            let rows = (output?.stdoutText.split(separator: "\n") ?? []).compactMap { try? JSONParser.strict.parse(Array($0.utf8)) }
            latencies[reuse, default: []] += rows.compactMap { $0["latency_ms"]?.doubleValue }
            let lines = rows.filter { $0["reachable"] == .bool(true) }.count
            if lines != hostCount { Bench.fail("fleetctl status reached \(lines) of \(hostCount) hosts: \(output?.stderrText ?? "") \(output?.stdoutText.prefix(600) ?? "")") }
            return elapsed
        }
        let runs = max(3, min(rounds, 10))
        _ = status(false)
        let cold = Statistics(values: (0..<runs).map { _ in status(false) })
        _ = status(true)
        let warm = Statistics(values: (0..<runs).map { _ in status(true) })
        Bench.say("fleet-status: fleetctl status, \(hostCount) loopback hosts, cold (no reuse): \(cold.line(unit: "ms", scale: 1000))")
        Bench.say("fleet-status: fleetctl status, \(hostCount) loopback hosts, warm (ControlMaster reuse): \(warm.line(unit: "ms", scale: 1000))")
        Bench.say("fleet-status: one host's ssh call inside status: cold \(Statistics(values: latencies[false] ?? []).line(unit: "ms")), warm \(Statistics(values: latencies[true] ?? []).line(unit: "ms"))")

        let pssh = ["/usr/bin/parallel-ssh", "/usr/bin/pssh"].first(where: Directories.isExecutableFile)
        guard let pssh else {
            Bench.say("fleet-status: parallel-ssh not installed (apt-get install -y pssh); no side-by-side figure")
            return
        }
        let remote = "\(dir)/bin/agent-runner peek --json --events 200"
        let psshRuns = (0..<runs).map { _ -> Double in
            let started = ContinuousClock.now
            let output = Bench.shell("'\(pssh)' -p 32 -t 60 -h '\(dir)/hosts.txt' -x '-F \(dir)/ssh_config -o BatchMode=yes -T' -o '\(dir)/out' '\(remote)' > '\(dir)/pssh.log' 2>&1; grep -c SUCCESS '\(dir)/pssh.log'")
            let elapsed = Bench.seconds(ContinuousClock.now - started)
            if output.stdoutText.trimmingCharacters() != String(hostCount) { Bench.fail("parallel-ssh reached \(output.stdoutText.trimmingCharacters()) of \(hostCount) hosts") }
            return elapsed
        }
        let parallel = Statistics(values: psshRuns)
        Bench.say("fleet-status: parallel-ssh -p 32, same remote command, same hosts: \(parallel.line(unit: "ms", scale: 1000))")
        Bench.say("fleet-status: cold/pssh = \(format(cold.median / parallel.median)), pssh/warm = \(format(parallel.median / warm.median))x")
    }

    /// The user the "hosts" log in as. As root: `fleetbench`, a system user with /bin/sh and no
    /// home (created if missing), so the figures measure ssh and fleetctl, not this machine's
    /// ~/.bashrc (bash runs it for every ssh command; root's here starts pyenv, ~1 s).
    static func loginUser() -> String {
        guard geteuid() == 0 else {
            Bench.say("fleet-status: not root, logging in as \(userName()); its shell start-up files count in every figure")
            return userName()
        }
        let made = Bench.shell("id -u fleetbench >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /bin/sh fleetbench")
        guard made.exit.isSuccess else {
            Bench.say("fleet-status: cannot create the user fleetbench (\(made.stderrText)); logging in as root, whose ~/.bashrc counts in every figure")
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
