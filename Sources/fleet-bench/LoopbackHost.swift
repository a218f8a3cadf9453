#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FleetCore

/// A benchmark "remote host": a private sshd on a loopback port, logging in as a dedicated user
/// (`fleetbench`, created when run as root) whose login shell reads no startup files — so the
/// figures measure fleetctl and ssh, not an operator's ~/.bashrc (on this machine root's runs
/// `pyenv init` and costs ~90 ms per remote command).
struct LoopbackHost {
    let dir: String
    let port: Int
    let user: String
    let sshConfig: String
    let pid: pid_t

    static func start(aliases: [String]) -> LoopbackHost {
        guard let sshd = ["/usr/sbin/sshd", "/usr/bin/sshd"].first(where: Directories.isExecutableFile) else {
            Bench.fail("sshd not found; install it with: apt-get install -y openssh-server")
        }
        let dir = Bench.temporaryDirectory("sshd")
        Bench.shell("chmod 755 '\(dir)'")
        var user = String(cString: getpwuid(getuid()).pointee.pw_name)
        if getuid() == 0 {
            // The same user fleet-status uses; `*` unlocks key logins without a password.
            let made = Bench.shell("(id -u fleetbench >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /bin/sh fleetbench) && usermod -p '*' fleetbench")
            if made.exit == .terminated(0) { user = "fleetbench" }
        }
        let port = Int.random(in: 30_000...45_000)
        let setup = """
            set -e
            cd '\(dir)'
            ssh-keygen -q -t ed25519 -N '' -f hostkey
            ssh-keygen -q -t ed25519 -N '' -f client
            cp client.pub authorized_keys; chmod 644 authorized_keys
            mkdir -p /run/sshd
            cat > sshd_config <<EOF
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(dir)/hostkey
            AuthorizedKeysFile \(dir)/authorized_keys
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no
            PrintMotd no
            PidFile \(dir)/sshd.pid
            MaxSessions 100
            MaxStartups 100:30:200
            EOF
            echo "[127.0.0.1]:\(port) $(cat hostkey.pub)" > known_hosts
            """
        let made = Bench.shell(setup)
        guard made.exit == .terminated(0) else { Bench.fail("loopback sshd setup failed: \(made.stderrText)") }
        var config = ""
        for alias in aliases {
            config += """
                Host \(alias)
                  HostName 127.0.0.1
                  Port \(port)
                  User \(user)
                  IdentityFile \(dir)/client
                  IdentitiesOnly yes
                  UserKnownHostsFile \(dir)/known_hosts
                  StrictHostKeyChecking yes

                """
        }
        try? AtomicFile.write(config, to: dir + "/ssh_config")
        let process: RunningProcess
        do {
            process = try PosixProcessRunner().spawn(ProcessRequest(sshd, arguments: ["-D", "-e", "-f", dir + "/sshd_config"],
                                                                   standardOutput: .discard, standardError: .discard, grouping: .newSession))
        } catch {
            Bench.fail("cannot start sshd: \(error)")
        }
        // Wait until it accepts connections.
        for _ in 0..<50 {
            let probe = Bench.shell("ssh -F '\(dir)/ssh_config' -o BatchMode=yes -o ConnectTimeout=2 \(aliases[0]) true", timeoutS: 10)
            if probe.exit == .terminated(0) { break }
            usleep(100_000)
        }
        return LoopbackHost(dir: dir, port: port, user: user, sshConfig: dir + "/ssh_config", pid: process.pid)
    }

    func stop() {
        kill(pid, SIGTERM)
        Bench.shell("rm -rf '\(dir)'")
    }
}
