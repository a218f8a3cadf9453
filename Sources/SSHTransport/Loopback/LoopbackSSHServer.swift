import FleetCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A private OpenSSH server on 127.0.0.1 with everything it needs in one directory: its own host
/// key, an authorized client key pair, and a client `ssh_config` with one `Host` alias per name
/// (the host key pinned, `StrictHostKeyChecking yes`), so ssh reaches it exactly as it would a
/// remote fleet. `fleetctl demo --ssh`, the benchmarks and the end-to-end tests all start theirs
/// here (before, each had a launcher of its own).
///
/// By default every alias logs in as the current user (root included, `PermitRootLogin
/// prohibit-password`) through the server's own authorized_keys. With `users`, each alias logs
/// in as its own existing system user instead, as a real fleet's hosts do: each user's
/// `~/.ssh/authorized_keys` is replaced by the client key and sshd runs with `StrictModes yes`.
///
/// The server is ready when its log says it listens: no polling logins, no fixed sleeps.
public final class LoopbackSSHServer: Sendable {
    public struct Options: Sendable {
        /// The `Host` aliases of the client config.
        public var aliases: [String]
        /// alias → the existing system user it logs in as; empty: every alias logs in as the
        /// current user. One for every alias, or none. Needs root.
        public var users: [String: String]
        /// sshd (an absolute path: sshd re-executes itself); nil looks in /usr/sbin and /usr/bin.
        public var sshdPath: String?
        /// sshd honours each user's `~/.ssh/environment`, so a session can get its own PATH.
        public var permitUserEnvironment: Bool
        /// Where the logins' keys are authorized: in each user's `~/.ssh/authorized_keys`
        /// (`StrictModes yes`, as on a real host), or in the server's directory for every user
        /// (made readable to them: for users without a usable home).
        public var keysInHomes: Bool
        /// The loopback addresses sshd listens on (at most 16, sshd's limit); alias N reaches
        /// address N modulo their count, so a bench's "hosts" are distinct addresses.
        public var listenAddresses: [String]

        public init(
            aliases: [String], users: [String: String] = [:], sshdPath: String? = nil,
            permitUserEnvironment: Bool = false, keysInHomes: Bool = true,
            listenAddresses: [String] = ["127.0.0.1"]
        ) {
            self.aliases = aliases
            self.users = users
            self.sshdPath = sshdPath
            self.permitUserEnvironment = permitUserEnvironment
            self.keysInHomes = keysInHomes
            self.listenAddresses = listenAddresses.isEmpty ? ["127.0.0.1"] : listenAddresses
        }

        /// Whether keys go into the users' homes.
        var authorizesHomes: Bool { !users.isEmpty && keysInHomes }
    }

    /// Why the server could not be set up or started, with what to do.
    public struct SetupError: Error, Sendable, CustomStringConvertible {
        public let description: String

        public init(_ description: String) {
            self.description = description
        }
    }

    public static let missingMessage = "sshd not found; install it with: apt-get install -y openssh-server"

    /// The directory holding the keys, configs and sshd's log.
    public let directory: String
    /// The port sshd listens on (fixed once started; ``start()`` after ``stop()`` reuses it).
    public let port: UInt16
    /// The current user: whom an alias without an entry in ``Options/users`` logs in as.
    public let user: String
    public let options: Options
    /// Client config: pass as `ssh -F` (or `SSHOptions.configFile`).
    public let clientConfig: String
    public let clientKey: String
    public let knownHosts: String
    public let hostKey: String
    /// sshd's stderr (`-e`), appended across restarts.
    public let logPath: String
    public let sshdPath: String

    private let runner: any ProcessRunner
    private let clock: any MonotonicClock
    private let state: Mutex<(process: RunningProcess?, paused: Bool, installedKeys: [String])>

    /// Generates keys and configs in `directory` (created 0700, or reachable by the users when
    /// there are `users`) and starts sshd on a free port.
    public init(
        _ options: Options, directory: String, runner: any ProcessRunner, clock: any MonotonicClock
    )
        throws(SetupError)
    {
        let found = options.sshdPath.map { [$0] } ?? ["/usr/sbin/sshd", "/usr/bin/sshd"]
        guard let sshd = found.first(where: Directories.isExecutableFile) else { throw SetupError(Self.missingMessage) }
        if !options.users.isEmpty {
            let without = options.aliases.filter { options.users[$0] == nil }
            guard without.isEmpty else {
                throw SetupError("no login user for the aliases \(without); give every alias a user, or none")
            }
        }
        self.options = options
        self.directory = directory
        self.runner = runner
        self.clock = clock
        sshdPath = sshd
        user = Self.currentUserName()
        clientConfig = directory + "/ssh_config"
        clientKey = directory + "/client_key"
        knownHosts = directory + "/known_hosts"
        hostKey = directory + "/host_key"
        logPath = directory + "/sshd.log"
        // The users reach files in it (their stand-ins; their keys when not in their homes).
        let directoryMode: mode_t = options.users.isEmpty ? 0o700 : options.keysInHomes ? 0o711 : 0o755
        if let error = Directories.create(directory, mode: directoryMode) {
            throw SetupError("cannot create \(directory): \(SystemError.text(error))")
        }
        chmod(directory, directoryMode)
        // sshd refuses to start as root without its privilege separation directory.
        if geteuid() == 0 { mkdir("/run/sshd", 0o755) }
        try Self.keygen(hostKey, runner: runner)
        try Self.keygen(clientKey, runner: runner)
        try Self.copy(
            clientKey + ".pub", to: directory + "/authorized_keys", mode: options.users.isEmpty ? 0o600 : 0o644)
        var lastError = SetupError("sshd did not start")
        var started: (port: UInt16, process: RunningProcess)?
        for _ in 0..<5 where started == nil {
            let candidate = try Self.freePort()
            do {
                try Self.write(
                    Self.serverConfig(options, port: candidate, directory: directory, hostKey: hostKey),
                    to: directory + "/sshd_config")
                started = (
                    candidate,
                    try Self.launch(
                        sshd, port: candidate, options: options, directory: directory,
                        logPath: logPath, runner: runner, clock: clock)
                )
            } catch {
                lastError = error
            }
        }
        guard let started else { throw lastError }
        port = started.port
        state = Mutex((started.process, false, []))
        do {
            if options.authorizesHomes {
                for name in Set(options.users.values) { try authorize(name) }
            }
            try writeClientFiles()
        } catch {
            stop()
            removeInstalledKeys()
            throw error
        }
    }

    /// The user `alias` logs in as.
    public func user(for alias: String) -> String {
        options.users[alias] ?? user
    }

    /// The listening sshd's pid while it runs.
    public var serverPID: pid_t? {
        state.withLock { $0.process?.pid }
    }

    /// Stops sshd and every connection it serves (the per-connection children left its process
    /// group with setsid; the process layer finds them through /proc).
    public func stop() {
        let (process, paused) = state.withLock { state in
            defer {
                state.process = nil
                state.paused = false
            }
            return (state.process, state.paused)
        }
        guard let process else { return }
        if paused { _ = try? process.signalGroup(SIGCONT) }
        _ = process.terminate(grace: .seconds(2))
    }

    /// Starts sshd again on the same port (after ``stop()``).
    public func start() throws(SetupError) {
        let process = try Self.launch(
            sshdPath, port: port, options: options, directory: directory, logPath: logPath,
            runner: runner, clock: clock)
        state.withLock { $0.process = process }
    }

    /// SIGSTOP: the kernel still accepts TCP connections on the port, but no banner comes.
    public func pause() throws(SetupError) {
        try state.withLock { state throws(SetupError) in
            guard let process = state.process else { throw SetupError("sshd is not running") }
            _ = try? process.signal(SIGSTOP)
            state.paused = true
        }
    }

    public func resume() {
        state.withLock { state in
            if let process = state.process, state.paused { _ = try? process.signal(SIGCONT) }
            state.paused = false
        }
    }

    /// Gives the server a new host key and restarts it on the same port; the client's
    /// known_hosts still holds the old key.
    public func regenerateHostKey() throws(SetupError) {
        stop()
        unlink(hostKey)
        unlink(hostKey + ".pub")
        try Self.keygen(hostKey, runner: runner)
        try start()
    }

    /// Removes the authorized_keys this server gave the users (their private key stays in
    /// ``directory``, which the caller owns).
    public func removeInstalledKeys() {
        let keys = state.withLock { state in
            defer { state.installedKeys = [] }
            return state.installedKeys
        }
        for path in keys { unlink(path) }
    }

    /// sshd's log so far.
    public func log() -> String {
        String(decoding: (try? LocalFileSystem().readFile(logPath, limit: 64 << 20)) ?? [], as: UTF8.self)
    }

    // MARK: Setup

    private static func serverConfig(_ options: Options, port: UInt16, directory: String, hostKey: String) -> String {
        let homes = options.authorizesHomes
        let listen = options.listenAddresses.map { "ListenAddress \($0)" }.joined(separator: "\n")
        let config = """
            Port \(port)
            \(listen)
            HostKey \(hostKey)
            PidFile \(directory)/sshd.pid
            AuthorizedKeysFile \(homes ? ".ssh/authorized_keys" : directory + "/authorized_keys")
            StrictModes \(homes ? "yes" : "no")
            UsePAM no
            PermitRootLogin prohibit-password
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UseDNS no
            PrintMotd no
            PrintLastLog no
            MaxStartups 100:30:200
            MaxSessions 100
            PermitUserEnvironment \(options.permitUserEnvironment ? "yes" : "no")
            LogLevel INFO

            """
        return config
    }

    private func writeClientFiles() throws(SetupError) {
        let publicKey = String(decoding: (try? LocalFileSystem().readFile(hostKey + ".pub")) ?? [], as: UTF8.self)
            .split(separator: " ").prefix(2).joined(separator: " ")
        let addresses = options.listenAddresses
        try Self.write(addresses.map { "[\($0)]:\(port) \(publicKey)\n" }.joined(), to: knownHosts)
        // A Host block per login user and address.
        let groups = Dictionary(grouping: options.aliases.enumerated()) {
            "\(self.user(for: $0.element)) \(addresses[$0.offset % addresses.count])"
        }
        let config = groups.keys.sorted().map { key in
            let login = String(key.prefix { $0 != " " })
            let address = String(key.drop { $0 != " " }.dropFirst())
            return """
                Host \(groups[key, default: []].map(\.element).joined(separator: " "))
                  HostName \(address)
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
        try Self.write(config, to: clientConfig)
    }

    /// Installs the client key as `name`'s only authorized key, with the ownership and modes
    /// StrictModes checks: home and ~/.ssh the user's and not group/world writable.
    private func authorize(_ name: String) throws(SetupError) {
        guard let entry = getpwnam(name) else { throw SetupError("no user \(name) to log in as (create it first)") }
        let (uid, gid) = (entry.pointee.pw_uid, entry.pointee.pw_gid)
        let home = String(cString: entry.pointee.pw_dir)
        let sshDirectory = home + "/.ssh"
        let keys = sshDirectory + "/authorized_keys"
        Directories.create(sshDirectory, mode: 0o700)
        unlink(keys)
        try Self.copy(clientKey + ".pub", to: keys, mode: 0o600)
        state.withLock { $0.installedKeys.append(keys) }
        for (path, mode) in [(home, mode_t(0o755)), (sshDirectory, 0o700), (keys, 0o600)] {
            guard chown(path, uid, gid) == 0, chmod(path, mode) == 0 else {
                throw SetupError(
                    "cannot give \(path) to \(name) with mode \(String(mode, radix: 8)): "
                        + SystemError.text(errno))
            }
        }
    }

    /// Starts sshd and waits (at most 10 s) for its "Server listening" line of every address.
    private static func launch(
        _ sshdPath: String, port: UInt16, options: Options, directory: String, logPath: String,
        runner: any ProcessRunner, clock: any MonotonicClock
    ) throws(SetupError) -> RunningProcess {
        let logStart = Int(Directories.size(of: logPath) ?? 0)
        let request = ProcessRequest(
            sshdPath, arguments: ["-D", "-e", "-f", directory + "/sshd_config"],
            environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], standardInput: .null,
            standardOutput: .appendToFile(logPath), standardError: .appendToFile(logPath))
        let process: RunningProcess
        do {
            process = try runner.spawn(request)
        } catch {
            throw SetupError("cannot start \(sshdPath): \(error)")
        }
        let ready = options.listenAddresses.map { "Server listening on \($0) port \(port)." }
        let deadline = clock.now + .seconds(10)
        while clock.now < deadline {
            let written = String(
                decoding: Directories.read(logPath, from: Int64(logStart), limit: 1 << 20), as: UTF8.self)
            if ready.allSatisfy(written.contains) { return process }
            if let status = process.poll() {
                throw SetupError("sshd exited (\(status)) before listening on port \(port):\n\(written)")
            }
            clock.sleep(for: .milliseconds(10))
        }
        _ = process.terminate(grace: .seconds(1))
        throw SetupError("sshd did not listen on port \(port) within 10 s; see \(logPath)")
    }

    private static func keygen(_ path: String, runner: any ProcessRunner) throws(SetupError) {
        let output: ProcessOutput
        do {
            output = try runner.run(
                ProcessRequest(
                    "ssh-keygen", arguments: ["-q", "-t", "ed25519", "-N", "", "-C", "loopback-sshd", "-f", path],
                    deadline: .now + .seconds(20)))
        } catch {
            throw SetupError(
                "ssh-keygen not found or not startable (\(error)); install it with: apt-get install -y openssh-client")
        }
        guard output.exit.isSuccess else {
            throw SetupError("ssh-keygen failed for \(path) (\(output.exit)): \(output.stderrText)")
        }
    }

    private static func copy(_ source: String, to path: String, mode: mode_t) throws(SetupError) {
        do {
            try AtomicFile.write(try LocalFileSystem().readFile(source), to: path, mode: mode)
        } catch {
            throw SetupError("cannot copy \(source) to \(path): \(error)")
        }
    }

    private static func write(_ text: String, to path: String) throws(SetupError) {
        do {
            try AtomicFile.write(text, to: path, mode: 0o644)
        } catch {
            throw SetupError("cannot write \(path): \(error)")
        }
    }

    /// A port nothing listens on right now (the kernel's pick for port 0).
    private static func freePort() throws(SetupError) -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SetupError("socket: \(SystemError.text(errno))") }
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
        guard bound else { throw SetupError("cannot find a free port: \(SystemError.text(errno))") }
        return UInt16(bigEndian: address.sin_port)
    }

    private static func currentUserName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessEnvironment.current()["USER"] ?? "root"
    }
}
