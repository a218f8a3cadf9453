import FleetCore
import Foundation
import Glibc

/// A unix user standing in for one fleet host's login, so that each loopback "host" is its own
/// account as on a real fleet: its own home and authorized_keys, its own serve, and no power over
/// another host's processes.
///
/// Users are created once and kept between runs (``ensure(_:)`` is idempotent); their processes
/// are not: ``killProcesses()`` ends them when a test ends. Creating users needs root, and so
/// does running a command as one (``command(_:)``, through util-linux's `setpriv`).
public struct TestUser: Sendable, Equatable, CustomStringConvertible {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    public let name: String
    public let uid: uid_t
    public let gid: gid_t
    public let home: String

    public var description: String { "\(name) (uid \(uid))" }

    /// The user `name`, created if missing: a system user with its own group, home
    /// /home/NAME, login shell /bin/sh (not bash: a login then reads no rc files, whose cost
    /// would count in every remote command) and password `*`, which no password matches. (Not
    /// the `!` of a locked account: sshd, which these tests run without PAM, refuses key logins
    /// to those too.) The home directory is created or repaired: the user's own, mode 0755.
    public static func ensure(_ name: String) throws -> TestUser {
        guard geteuid() == 0 else {
            throw Failure(
                description:
                    "creating the test user \(name) needs root (useradd); run the tests as root, as CI does (scripts/test)"
            )
        }
        let home = "/home/" + name
        if getpwnam(name) == nil {
            let made = try PosixProcessRunner().run(
                ProcessRequest(
                    "useradd",
                    arguments: [
                        "--system", "--user-group", "--no-create-home", "--home-dir", home, "--shell", "/bin/sh",
                        "--password", "*", name,
                    ],
                    environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], deadline: .now + .seconds(30)))
            // A concurrent run may have created it meanwhile: check again rather than trust the exit.
            guard made.exit.isSuccess || getpwnam(name) != nil else {
                throw Failure(
                    description:
                        "useradd \(name) failed (\(made.exit)): \(made.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)); "
                        + "install it with: apt-get install -y passwd")
            }
        }
        guard let entry = getpwnam(name) else {
            throw Failure(description: "user \(name) does not exist after useradd")
        }
        let user = TestUser(
            name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid,
            home: String(cString: entry.pointee.pw_dir))
        let shell = String(cString: entry.pointee.pw_shell)
        guard user.home == home, shell == "/bin/sh" else {
            throw Failure(
                description: "user \(name) exists with home \(user.home) and shell \(shell), not \(home) and /bin/sh; "
                    + "remove it (userdel \(name)) and run the tests again")
        }
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try user.own(home)
        chmod(home, 0o755)
        return user
    }

    /// `argv` run as this user: real and effective ids, group and supplementary groups.
    /// (`setpriv` execs, so the process spawned is `argv[0]` itself, with the same pid.)
    public func command(_ argv: [String]) throws -> [String] {
        guard Self.setpriv != nil else {
            throw Failure(description: "setpriv not found; install it with: apt-get install -y util-linux")
        }
        return ["setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--init-groups", "--"] + argv
    }

    /// `environment` as a login of this user would have it: its HOME, USER and LOGNAME, and none
    /// of the test process's per-user runtime directories.
    public func environment(_ environment: [String: String]) -> [String: String] {
        var env = environment.filter { !$0.key.hasPrefix("XDG_") && $0.key != "MAIL" }
        env["HOME"] = home
        env["USER"] = name
        env["LOGNAME"] = name
        return env
    }

    /// Gives `path` (and, with `recursive`, everything under it, symbolic links themselves
    /// rather than their targets) to this user and its group.
    public func own(_ path: String, recursive: Bool = false) throws {
        var paths = [path]
        if recursive, let below = FileManager.default.enumerator(atPath: path) {
            paths += below.compactMap { $0 as? String }.map { path + "/" + $0 }
        }
        for item in paths where lchown(item, uid, gid) != 0 {
            throw Failure(description: "cannot give \(item) to \(name): \(String(cString: strerror(errno)))")
        }
    }

    /// Live processes whose real user is this one.
    public func processes() -> [ProcessTree.Entry] {
        ProcessTree.snapshot().filter { !$0.isZombie && ProcessTree.userID(of: $0.pid) == uid }
    }

    /// SIGKILLs every process of this user (what a test left running: a daemonized serve, its
    /// agent, an sshd session), as `pkill -KILL -u` would; returns those it found.
    @discardableResult
    public func killProcesses() -> [ProcessTree.Entry] {
        var found: [ProcessTree.Entry] = []
        for _ in 0..<5 {
            let live = processes()
            if live.isEmpty { break }
            found += live
            for entry in live { kill(entry.pid, SIGKILL) }
            usleep(50_000)
        }
        return found
    }

    private static let setpriv: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin"]).map { $0 + "/setpriv" }.first {
            access($0, X_OK) == 0
        }
    }()
}

/// Holds the fleet test users for one fixture at a time, across test processes: fixtures
/// rewrite the users' authorized_keys and kill their processes when they end, so two test runs
/// on one machine (two checkouts, CI beside a developer) must take turns. An `flock` on a file
/// in /tmp: the kernel drops it if the process dies.
public final class TestUserLock: @unchecked Sendable {
    public static let path = "/tmp/agent-fleet-e2e-users.lock"
    private var descriptor: Int32

    /// Waits for the lock, up to `timeout`. `path` names the lock of another set of users (the
    /// real-agent tests' user has its own, so they do not wait for the fleet tests).
    public init(path: String = TestUserLock.path, timeout: Duration = .seconds(600)) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw TestUser.Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        let deadline = ContinuousClock.now + timeout
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR, ContinuousClock.now < deadline else {
                let reason =
                    code == EWOULDBLOCK ? "another test run held it for \(timeout)" : String(cString: strerror(code))
                close(descriptor)
                throw TestUser.Failure(description: "cannot lock the test users (\(path)): \(reason)")
            }
            usleep(100_000)
        }
    }

    deinit { release() }

    public func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }
}
