#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FleetCore

/// The loopback sshd of `fleetctl demo --ssh`: its own host key, client key and config in the
/// demo folder, listening on 127.0.0.1 only, logging in as the current user, with an ssh client
/// config that names every demo host as an alias. The demo then polls over real ssh, with host
/// key checking on, exactly as a fleet would be.
public struct DemoSSHServer: Sendable {
    public let directory: String
    public let clientConfig: String
    public let port: Int
    let process: RunningProcess

    /// Starts sshd for `aliases`; throws a DemoError saying what to install when sshd is missing.
    public static func start(in directory: String, aliases: [String], runner: any ProcessRunner) throws -> DemoSSHServer {
        guard let sshd = ["/usr/sbin/sshd", "/usr/bin/sshd"].first(where: Directories.isExecutableFile) else {
            throw DemoError("sshd not found; install it (apt-get install -y openssh-server) or run the demo without --ssh")
        }
        Directories.create(directory, mode: 0o700)
        let user = String(cString: getpwuid(getuid()).pointee.pw_name)
        let port = Int.random(in: 40_000...50_000)
        let setup = """
            set -e
            cd '\(directory)'
            ssh-keygen -q -t ed25519 -N '' -f host_key
            ssh-keygen -q -t ed25519 -N '' -f client_key
            cp client_key.pub authorized_keys
            mkdir -p /run/sshd 2>/dev/null || true
            echo "[127.0.0.1]:\(port) $(cat host_key.pub)" > known_hosts
            """
        let made = try runner.run(ProcessRequest("/bin/sh", arguments: ["-c", setup], deadline: .now + .seconds(30)))
        guard made.exit == .terminated(0) else { throw DemoError("cannot prepare the demo sshd: \(made.stderrText)") }
        let server = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(directory)/host_key
            AuthorizedKeysFile \(directory)/authorized_keys
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            StrictModes no
            UsePAM no
            PrintMotd no
            PidFile \(directory)/sshd.pid
            MaxSessions 50

            """
        var client = ""
        for alias in aliases {
            client += """
                Host \(alias)
                  HostName 127.0.0.1
                  Port \(port)
                  User \(user)
                  IdentityFile \(directory)/client_key
                  IdentitiesOnly yes
                  UserKnownHostsFile \(directory)/known_hosts
                  StrictHostKeyChecking yes

                """
        }
        do {
            try AtomicFile.write(server, to: directory + "/sshd_config", mode: 0o600)
            try AtomicFile.write(client, to: directory + "/ssh_config", mode: 0o600)
        } catch {
            throw DemoError("cannot write the demo ssh configuration: \(error)")
        }
        let process = try runner.spawn(ProcessRequest(
            sshd, arguments: ["-D", "-e", "-f", directory + "/sshd_config"], standardOutput: .appendToFile(directory + "/sshd.log"),
            standardError: .mergeIntoStandardOutput, grouping: .newSession))
        let ready = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < ready {
            let probe = try? runner.run(ProcessRequest(
                "ssh", arguments: ["-F", directory + "/ssh_config", "-o", "BatchMode=yes", "-o", "ConnectTimeout=2", aliases[0], "true"],
                deadline: .now + .seconds(5)))
            if probe?.exit == .terminated(0) {
                return DemoSSHServer(directory: directory, clientConfig: directory + "/ssh_config", port: port, process: process)
            }
            if process.poll() != nil { break }
            usleep(200_000)
        }
        _ = process.terminate(grace: .seconds(1))
        let log = (try? LocalFileSystem().readFile(directory + "/sshd.log")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        throw DemoError("the demo sshd did not accept a login on 127.0.0.1:\(port): \(log.split(separator: "\n").last ?? "no log")")
    }

    public func stop() {
        _ = process.terminate(grace: .seconds(2))
    }
}
