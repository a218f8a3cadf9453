import FleetCore
import SSHTransport

/// A benchmark "remote host": SSHTransport's ``LoopbackSSHServer`` on a loopback port, logging in
/// as a dedicated user (`fleetbench`, created when run as root) whose login shell reads no
/// startup files, so the figures measure fleetctl and ssh, not an operator's ~/.bashrc (on this
/// machine root's runs `pyenv init` and costs ~90 ms per remote command).
struct LoopbackHost {
    let server: LoopbackSSHServer

    var sshConfig: String { server.clientConfig }
    var user: String { server.user(for: server.options.aliases[0]) }

    static func start(aliases: [String]) -> LoopbackHost {
        let dir = Bench.temporaryDirectory("sshd")
        Bench.shell("chmod 755 '\(dir)'")  // the login user reaches its key inside
        let login = BenchUser.login()
        let users =
            login == BenchUser.current()
            ? [:] : Dictionary(uniqueKeysWithValues: aliases.map { ($0, login) })
        do {
            // fleetbench has no home: its key stays in the server's directory.
            let server = try LoopbackSSHServer(
                .init(aliases: aliases, users: users, keysInHomes: false), directory: dir + "/sshd",
                runner: PosixProcessRunner(), clock: SystemMonotonicClock())
            return LoopbackHost(server: server)
        } catch {
            Bench.fail("loopback sshd: \(error)")
        }
    }

    func stop() {
        server.stop()
        server.removeInstalledKeys()
        // The server's directory is `sshd` inside the temporary directory `start` made.
        Bench.shell("rm -rf '\(ConfigPaths.directory(of: server.directory))'")
    }
}
