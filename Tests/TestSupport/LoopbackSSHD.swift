import FleetCore
import Foundation
import Glibc

/// A real OpenSSH server on 127.0.0.1 for end-to-end tests, with everything it needs in
/// one short temporary directory: its own host key, an authorized client key pair, a
/// client `ssh_config` (one `Host` alias per name, pinned host key, StrictHostKeyChecking
/// yes) and room for stand-in remote programs (``writeScript(_:_:)``).
///
/// By default every alias logs in as the current user (root included, via `PermitRootLogin
/// prohibit-password`), through the fixture's own authorized_keys. With `users`, each alias logs
/// in as its own existing system user instead, the way a real fleet's hosts do (see
/// ``init(aliases:users:sshdPath:)``); the fixture creates no users itself. Depends on FleetCore
/// and Foundation only (no XCTest, no SSHTransport), so other test targets can reuse it as is.
///
///     let sshd = try LoopbackSSHD(aliases: ["pi"])
///     defer { sshd.shutdown() }
///     let script = try sshd.writeScript("agent-runner", #"echo '{"ok":true}'"#)
///     // ssh -F sshd.clientConfig pi -- script   reaches this server
///
/// If /usr/sbin/sshd is missing, `init` throws "sshd not found; install it with: apt-get
/// install -y openssh-server", so tests fail (not skip) on a machine without it.
public final class LoopbackSSHD: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    public static let defaultSSHDPath = "/usr/sbin/sshd"
    public static let missingMessage = "sshd not found; install it with: apt-get install -y openssh-server"

    /// The fixture directory (short, under /tmp, so socket paths inside fit 107 bytes).
    public let directory: String
    /// The port sshd listens on (fixed once started; restarts reuse it).
    public private(set) var port: UInt16 = 0
    /// The current user: whom an alias without an entry in ``users`` logs in as.
    public let user: String
    public let aliases: [String]
    /// alias → the system user it logs in as (empty: all log in as ``user``).
    public let users: [String: String]
    /// Client config: pass as `ssh -F` (or SSHOptions.configFile).
    public let clientConfig: String
    public let clientKey: String
    public let knownHosts: String
    public let hostKey: String
    /// A path for ControlMaster sockets inside the fixture (not created).
    public let controlDirectory: String
    /// sshd's stderr (`-e`), appended across restarts.
    public let logPath: String

    private let lock = NSLock()
    private var process: RunningProcess?
    /// The users' authorized_keys this fixture wrote (removed by ``shutdown()``).
    private var installedKeys: [String] = []
    private var paused = false

    /// The sshd binary (an absolute path: sshd re-executes itself).
    public let sshdPath: String

    /// Generates keys and configs and starts sshd on a free port.
    ///
    /// - Parameter users: alias → an existing system user that alias logs in as; empty, or one
    ///   for every alias. Each user's `~/.ssh/authorized_keys` is replaced by the fixture's client
    ///   key (so one fixture per user at a time), and sshd runs with `StrictModes yes`, as on a
    ///   real host: the fixture makes the home and `~/.ssh` the user's own and not writable by
    ///   group or others. The fixture directory becomes traversable (0711) so that the users can
    ///   run the stand-ins of ``writeScript(_:_:)``. Needs root. sshd honours each user's
    ///   `~/.ssh/environment` (`PermitUserEnvironment`), so a test can give a host's sessions their
    ///   own PATH (a fake systemctl first) without touching the remote shell's rc files.
    public init(aliases: [String] = ["fleettest1"], users: [String: String] = [:], sshdPath: String = LoopbackSSHD.defaultSSHDPath) throws {
        guard access(sshdPath, X_OK) == 0 else { throw Failure(description: Self.missingMessage) }
        if !users.isEmpty {
            let without = aliases.filter { users[$0] == nil }
            guard without.isEmpty else { throw Failure(description: "no login user for the aliases \(without); give every alias a user, or none") }
        }
        self.sshdPath = sshdPath
        for tool in ["ssh", "ssh-keygen"] where Self.which(tool) == nil {
            throw Failure(description: "\(tool) not found; install it with: apt-get install -y openssh-client")
        }
        var template = Array("/tmp/lsshd.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw Failure(description: "cannot create a fixture directory in /tmp: \(String(cString: strerror(errno)))")
        }
        directory = String(cString: made)
        user = Self.currentUserName()
        self.aliases = aliases
        self.users = users
        clientConfig = directory + "/ssh_config"
        clientKey = directory + "/client_key"
        knownHosts = directory + "/known_hosts"
        hostKey = directory + "/host_key"
        controlDirectory = directory + "/ctl"
        logPath = directory + "/sshd.log"
        do {
            try FileManager.default.createDirectory(atPath: directory + "/bin", withIntermediateDirectories: true)
            if geteuid() == 0 {
                // sshd refuses to start as root without its privilege separation directory.
                mkdir("/run/sshd", 0o755)
            }
            try Self.keygen(hostKey)
            try Self.keygen(clientKey)
            try FileManager.default.copyItem(atPath: clientKey + ".pub", toPath: directory + "/authorized_keys")
            if !users.isEmpty {
                chmod(directory, 0o711)
                for name in Set(users.values) { try authorize(name) }
            }
            var started: UInt16?
            var lastError: (any Error)?
            for _ in 0..<5 where started == nil {
                let candidate = try Self.freePort()
                do {
                    try writeServerConfig(port: candidate)
                    try launch(port: candidate)
                    started = candidate
                } catch {
                    lastError = error
                }
            }
            guard let started else { throw lastError ?? Failure(description: "sshd did not start") }
            port = started
            try writeClientFiles()
        } catch {
            Self.removeTree(directory)
            for path in installedKeys { unlink(path) }
            throw error
        }
    }

    deinit { shutdown() }

    // MARK: Controlling the server

    /// Stops sshd and every connection it serves (the per-connection children left its
    /// process group with setsid; the process layer finds them through /proc).
    public func stop() {
        lock.lock()
        let current = process
        process = nil
        let wasPaused = paused
        paused = false
        lock.unlock()
        guard let current else { return }
        if wasPaused { _ = try? current.signalGroup(SIGCONT) }
        _ = current.terminate(grace: .seconds(2))
    }

    /// Starts sshd again on the same port (after ``stop()``).
    public func start() throws {
        try launch(port: port)
    }

    /// The listening sshd's pid while it runs: for tests that kill it together with the rest
    /// of a host (then ``stop()`` forgets it and ``start()`` brings the server back).
    public var serverPID: pid_t? {
        lock.lock()
        defer { lock.unlock() }
        return process?.pid
    }

    /// SIGSTOP: the kernel still accepts TCP connections on the port, but no banner comes.
    public func pause() throws {
        lock.lock()
        defer { lock.unlock() }
        guard let process else { throw Failure(description: "sshd is not running") }
        try process.signal(SIGSTOP)
        paused = true
    }

    public func resume() {
        lock.lock()
        defer { lock.unlock() }
        if let process, paused { _ = try? process.signal(SIGCONT) }
        paused = false
    }

    /// Gives the server a new host key and restarts it on the same port; the client's
    /// known_hosts still holds the old key.
    public func regenerateHostKey() throws {
        stop()
        try? FileManager.default.removeItem(atPath: hostKey)
        try? FileManager.default.removeItem(atPath: hostKey + ".pub")
        try Self.keygen(hostKey)
        try start()
    }

    /// Stops sshd, kills whatever the tests left running against it (remote stand-ins,
    /// ssh clients and ControlMasters: anything whose command line mentions the fixture
    /// directory), and removes the directory and the authorized_keys it gave the users
    /// (their private key goes with the directory). Idempotent.
    public func shutdown() {
        stop()
        killLeftovers()
        Self.removeTree(directory)
        lock.lock()
        let keys = installedKeys
        installedKeys = []
        lock.unlock()
        for path in keys { unlink(path) }
    }

    /// Processes (not zombies) whose command line mentions the fixture directory.
    public func leftoverProcesses() -> [ProcessTree.Entry] {
        ProcessTree.snapshot().filter { entry in
            guard entry.pid != getpid(), !entry.isZombie, let argv = ProcessTree.commandLine(of: entry.pid) else { return false }
            return argv.contains { $0.contains(directory) }
        }
    }

    // MARK: Test helpers

    /// Writes an executable `/bin/sh` script into the fixture's bin directory and returns
    /// its path, to pass as the remote command.
    @discardableResult
    public func writeScript(_ name: String, _ body: String) throws -> String {
        let path = directory + "/bin/" + name
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    /// The user `alias` logs in as.
    public func user(for alias: String) -> String {
        users[alias] ?? user
    }

    /// How many logins sshd has accepted: a reused connection does not log in again.
    public func acceptedLogins() -> Int {
        log().components(separatedBy: "Accepted publickey for").count - 1
    }

    /// sshd's log so far.
    public func log() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    // MARK: Internals

    private func writeServerConfig(port: UInt16) throws {
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(hostKey)
            PidFile \(directory)/sshd.pid
            AuthorizedKeysFile \(users.isEmpty ? directory + "/authorized_keys" : ".ssh/authorized_keys")
            StrictModes \(users.isEmpty ? "no" : "yes")
            UsePAM no
            PermitRootLogin prohibit-password
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UseDNS no
            PrintMotd no
            PrintLastLog no
            MaxStartups 100
            MaxSessions 100
            PermitUserEnvironment yes
            LogLevel INFO

            """
        try config.write(toFile: directory + "/sshd_config", atomically: true, encoding: .utf8)
    }

    private func writeClientFiles() throws {
        let publicHostKey = try String(contentsOfFile: hostKey + ".pub", encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")
        try "[127.0.0.1]:\(port) \(publicHostKey)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        // A Host block per login user.
        let groups = Dictionary(grouping: aliases) { self.user(for: $0) }
        let config = groups.keys.sorted().map { login in
            """
            Host \(groups[login, default: []].joined(separator: " "))
              HostName 127.0.0.1
              Port \(port)
              User \(login)
              IdentityFile \(clientKey)
              IdentitiesOnly yes
              UserKnownHostsFile \(knownHosts)
              GlobalKnownHostsFile /dev/null
              StrictHostKeyChecking yes
              PasswordAuthentication no
              KbdInteractiveAuthentication no
              GSSAPIAuthentication no

            """
        }.joined()
        try config.write(toFile: clientConfig, atomically: true, encoding: .utf8)
    }

    /// Installs the client key as `name`'s only authorized key, with the ownership and modes
    /// StrictModes checks: home and ~/.ssh the user's and not group/world writable.
    private func authorize(_ name: String) throws {
        guard let entry = getpwnam(name) else { throw Failure(description: "no user \(name) to log in as (create it first)") }
        let uid = entry.pointee.pw_uid
        let gid = entry.pointee.pw_gid
        let home = String(cString: entry.pointee.pw_dir)
        let sshDirectory = home + "/.ssh"
        let keys = sshDirectory + "/authorized_keys"
        try FileManager.default.createDirectory(atPath: sshDirectory, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: keys)
        try FileManager.default.copyItem(atPath: clientKey + ".pub", toPath: keys)
        installedKeys.append(keys)
        for (path, mode) in [(home, mode_t(0o755)), (sshDirectory, 0o700), (keys, 0o600)] {
            guard chown(path, uid, gid) == 0, chmod(path, mode) == 0 else {
                throw Failure(description: "cannot give \(path) to \(name) with mode \(String(mode, radix: 8)): \(String(cString: strerror(errno)))")
            }
        }
    }

    private func launch(port: UInt16) throws {
        let logStart = (try? FileManager.default.attributesOfItem(atPath: logPath)[.size] as? Int) ?? 0
        let request = ProcessRequest(
            sshdPath, arguments: ["-D", "-e", "-f", directory + "/sshd_config"],
            environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"],
            standardInput: .null, standardOutput: .appendToFile(logPath), standardError: .appendToFile(logPath))
        let started = try PosixProcessRunner().spawn(request)
        let ready = "Server listening on 127.0.0.1 port \(port)."
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if newLog(since: logStart).contains(ready) {
                lock.lock()
                process = started
                lock.unlock()
                return
            }
            if let status = started.poll() {
                throw Failure(description: "sshd exited (\(status)) before listening on port \(port):\n\(newLog(since: logStart))")
            }
            usleep(10_000)
        }
        _ = started.terminate(grace: .seconds(1))
        throw Failure(description: "sshd did not listen on port \(port) within 10 s:\n\(newLog(since: logStart))")
    }

    private func newLog(since offset: Int) -> String {
        let data = FileManager.default.contents(atPath: logPath) ?? Data()
        return String(decoding: data.dropFirst(offset), as: UTF8.self)
    }

    private func killLeftovers() {
        for _ in 0..<3 {
            let leftovers = leftoverProcesses()
            if leftovers.isEmpty { return }
            for entry in leftovers {
                // Remote stand-ins lead their own session (sshd setsid's each command), so
                // their group also holds whatever they started (a `sleep`).
                if entry.processGroup > 1 && entry.processGroup != getpgrp() {
                    kill(-entry.processGroup, SIGKILL)
                }
                kill(entry.pid, SIGKILL)
            }
            usleep(50_000)
        }
    }

    private static func keygen(_ path: String) throws {
        let output = try PosixProcessRunner().run(ProcessRequest(
            "ssh-keygen", arguments: ["-q", "-t", "ed25519", "-N", "", "-C", "lsshd", "-f", path],
            deadline: .now + .seconds(20)))
        guard output.exit.isSuccess else {
            throw Failure(description: "ssh-keygen failed for \(path) (\(output.exit)): \(output.stderrText)")
        }
    }

    /// A port nothing listens on right now (the kernel's pick for port 0).
    private static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "cannot find a free port: \(String(cString: strerror(errno)))") }
        return UInt16(bigEndian: address.sin_port)
    }

    private static func currentUserName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }

    private static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first { access($0, X_OK) == 0 }
    }

    private static func removeTree(_ path: String) {
        guard path.hasPrefix("/tmp/lsshd.") else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
