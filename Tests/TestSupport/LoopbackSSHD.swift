import FleetCore
import Foundation
import Glibc
import SSHTransport

/// A real OpenSSH server on 127.0.0.1 for end-to-end tests: SSHTransport's
/// ``LoopbackSSHServer`` (the one `fleetctl demo --ssh` and the benchmarks start too) in a short
/// temporary directory, plus what tests need around it: stand-in remote programs
/// (``writeScript(_:_:)``), a ControlMaster directory, and a shutdown that leaves nothing behind.
///
///     let sshd = try LoopbackSSHD(aliases: ["pi"])
///     defer { sshd.shutdown() }
///     let script = try sshd.writeScript("agent-runner", #"echo '{"ok":true}'"#)
///     // ssh -F sshd.clientConfig pi -- script   reaches this server
///
/// With `users`, each alias logs in as its own existing system user (the fixture creates no
/// users; ``TestUser`` does). sshd honours each user's `~/.ssh/environment`, so a test can give a
/// host's sessions their own PATH (a fake systemctl first). If sshd is missing, `init` throws
/// "sshd not found; install it with: apt-get install -y openssh-server": tests fail, not skip.
public final class LoopbackSSHD: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    public static let defaultSSHDPath = "/usr/sbin/sshd"
    public static let missingMessage = LoopbackSSHServer.missingMessage

    private let server: LoopbackSSHServer
    /// The fixture directory (short, under /tmp, so socket paths inside fit 107 bytes).
    public let directory: String
    /// A path for ControlMaster sockets inside the fixture (not created).
    public let controlDirectory: String

    public init(
        aliases: [String] = ["fleettest1"], users: [String: String] = [:],
        sshdPath: String = LoopbackSSHD.defaultSSHDPath
    ) throws {
        var template = Array("/tmp/lsshd.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw Failure(description: "cannot create a fixture directory in /tmp: \(String(cString: strerror(errno)))")
        }
        directory = String(cString: made)
        controlDirectory = directory + "/ctl"
        do {
            server = try LoopbackSSHServer(
                .init(aliases: aliases, users: users, sshdPath: sshdPath, permitUserEnvironment: true),
                directory: directory, runner: PosixProcessRunner(), clock: SystemMonotonicClock())
            try FileManager.default.createDirectory(atPath: directory + "/bin", withIntermediateDirectories: true)
        } catch {
            Self.removeTree(directory)
            throw Failure(description: "\(error)")
        }
    }

    deinit { shutdown() }

    public var port: UInt16 { server.port }
    /// The current user: whom an alias without an entry in ``users`` logs in as.
    public var user: String { server.user }
    public var aliases: [String] { server.options.aliases }
    /// alias → the system user it logs in as (empty: all log in as ``user``).
    public var users: [String: String] { server.options.users }
    public var clientConfig: String { server.clientConfig }
    public var clientKey: String { server.clientKey }
    public var knownHosts: String { server.knownHosts }
    public var hostKey: String { server.hostKey }
    /// sshd's stderr (`-e`), appended across restarts.
    public var logPath: String { server.logPath }
    public var sshdPath: String { server.sshdPath }
    public var serverPID: pid_t? { server.serverPID }

    // MARK: Controlling the server

    public func stop() { server.stop() }

    /// Starts sshd again on the same port (after ``stop()``).
    public func start() throws { try server.start() }

    /// SIGSTOP: the kernel still accepts TCP connections on the port, but no banner comes.
    public func pause() throws { try server.pause() }

    public func resume() { server.resume() }

    /// A new host key, sshd restarted on the same port; the client's known_hosts keeps the old one.
    public func regenerateHostKey() throws { try server.regenerateHostKey() }

    /// Stops sshd, kills whatever the tests left running against it (remote stand-ins, ssh
    /// clients and ControlMasters: anything whose command line mentions the fixture directory),
    /// and removes the directory and the authorized_keys it gave the users. Idempotent.
    public func shutdown() {
        server.stop()
        killLeftovers()
        server.removeInstalledKeys()
        Self.removeTree(directory)
    }

    /// Processes (not zombies) whose command line mentions the fixture directory.
    public func leftoverProcesses() -> [ProcessTree.Entry] {
        ProcessTree.snapshot().filter { entry in
            guard entry.pid != getpid(), !entry.isZombie, let argv = ProcessTree.commandLine(of: entry.pid) else {
                return false
            }
            return argv.contains { $0.contains(directory) }
        }
    }

    // MARK: Test helpers

    /// Writes an executable `/bin/sh` script into the fixture's bin directory and returns its
    /// path, to pass as the remote command.
    @discardableResult
    public func writeScript(_ name: String, _ body: String) throws -> String {
        let path = directory + "/bin/" + name
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    /// The user `alias` logs in as.
    public func user(for alias: String) -> String { server.user(for: alias) }

    /// How many logins sshd has accepted: a reused connection does not log in again.
    public func acceptedLogins() -> Int {
        log().components(separatedBy: "Accepted publickey for").count - 1
    }

    /// sshd's log so far.
    public func log() -> String { server.log() }

    // MARK: Internals

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

    private static func removeTree(_ path: String) {
        guard path.hasPrefix("/tmp/lsshd.") else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
