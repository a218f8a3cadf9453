import FleetCore
import Glibc
import Synchronization

/// The chromium browser process, spawned with the DevTools pipe on descriptors 3 and 4, and
/// stopped together with every helper process it started.
///
/// Spawned the way FleetCore's PosixProcessRunner spawns (which cannot map descriptors beyond
/// 0-2): its own process group, so one `kill(-pgid)` reaches the zygotes, renderers and GPU
/// process; an empty signal mask and default dispositions, so a test process that blocks or
/// ignores signals does not hand that on; every descriptor close-on-exec and everything from 5
/// up closed in the child.
///
/// chromium's crash handlers (two `chrome_crashpad_handler`s) double-fork into sessions of
/// their own at start-up, outside the group, and would be orphans of PID 1. Launch therefore
/// runs as a child subreaper (``ChildSubreaper``) until the browser answers, which makes them
/// children of this process; ``adoptCrashHandlers(namedBy:)`` records them and ``stop(grace:requestClose:)``
/// kills and reaps them with the rest.
final class ChromiumProcess: Sendable {
    /// Descriptors the browser reads commands from and writes messages to, as seen from here.
    struct Pipe {
        /// Write end of chromium's fd 3.
        var commandFD: Int32
        /// Read end of chromium's fd 4.
        var messageFD: Int32
    }

    let pid: pid_t
    let executable: String
    let stderrPath: String
    /// How the browser process ended, once reaped.
    private let reapedStatus = Mutex<String?>(nil)
    private let stopping = Mutex(false)
    /// Crash handlers that became our children during launch.
    private let crashHandlers = Mutex<[pid_t]>([])

    private init(pid: pid_t, executable: String, stderrPath: String) {
        self.pid = pid
        self.executable = executable
        self.stderrPath = stderrPath
    }

    static func spawn(
        executable: String, arguments: [String], environment: [String: String], stderrPath: String
    ) throws(BrowserError) -> (ChromiumProcess, Pipe) {
        func failure(_ what: String, _ code: Int32 = errno) -> BrowserError {
            BrowserError(.launchFailed, "cannot start \(executable): \(what) (\(String(cString: strerror(code))))")
        }
        guard let commands = makePipe() else { throw failure("cannot create the DevTools pipe") }
        guard let messages = makePipe() else {
            close(commands.read)
            close(commands.write)
            throw failure("cannot create the DevTools pipe")
        }
        let devNull = highDescriptor(open("/dev/null", O_RDWR | O_CLOEXEC))
        let stderrFD = highDescriptor(open(stderrPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600))
        let childEnds = [commands.read, messages.write, devNull, stderrFD]
        defer { for fd in childEnds where fd >= 0 { close(fd) } }
        guard devNull >= 0, stderrFD >= 0 else {
            let code = errno
            for fd in [commands.write, messages.read] { close(fd) }
            throw failure("cannot open /dev/null or \(stderrPath)", code)
        }

        // Every source descriptor is >= 10, so no dup2 below overwrites another's source.
        let redirections: [(Int32, Int32)] = [
            (devNull, 0), (stderrFD, 1), (stderrFD, 2), (commands.read, 3), (messages.write, 4),
        ]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var rc: Int32 = 0
        for (source, target) in redirections where rc == 0 {
            rc = posix_spawn_file_actions_adddup2(&actions, source, target)
        }
        if rc == 0, let addCloseFrom = LinuxCalls.addCloseFrom { rc = addCloseFrom(&actions, 5) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var catchable = PosixProcessRunner.allCatchableSignals()
        posix_spawnattr_setsigdefault(&attributes, &catchable)
        if rc == 0 {
            rc = posix_spawnattr_setflags(
                &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        if rc == 0 { rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp) }
        guard rc == 0 else {
            for fd in [commands.write, messages.read] { close(fd) }
            throw failure("posix_spawn failed", rc)
        }
        return (
            ChromiumProcess(pid: pid, executable: executable, stderrPath: stderrPath),
            Pipe(commandFD: commands.write, messageFD: messages.read)
        )
    }

    /// Records this browser's crash handlers among this process's children: those whose
    /// command line names `marker` (the browser's temporary directory, where their database is),
    /// so two browsers launching at once each take only their own. Call while still a subreaper.
    func adoptCrashHandlers(namedBy marker: String) {
        let parent = getpid()
        let handlers = ProcessTree.snapshot()
            .filter { $0.parent == parent && $0.processGroup != pid && !$0.isZombie }
            .filter { entry in (ProcessTree.commandLine(of: entry.pid) ?? []).contains { $0.contains(marker) } }
            .map(\.pid)
        crashHandlers.withLock { $0 = handlers }
    }

    /// How the browser process ended ("exited with status 1", "was killed by SIGSEGV"), or nil
    /// if it still runs after `wait` (a dying process closes its pipes a moment before it
    /// becomes waitable, so whoever saw the pipe end gives it that moment). Does not reap it.
    func exitDescription(waitingUpTo wait: Duration = .zero) -> String? {
        if let reaped = reapedStatus.withLock({ $0 }) { return reaped }
        let deadline = ContinuousClock.now + wait
        while !hasExited() && ContinuousClock.now < deadline {
            SystemMonotonicClock().sleep(until: .now + .milliseconds(10))
        }
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0,
            info._sifields._sigchld.si_pid == pid
        else { return nil }
        return Self.describe(code: info.si_code, status: info._sifields._sigchld.si_status)
    }

    /// The last lines chromium wrote to stderr, minus the D-Bus complaints every container run
    /// produces (there is no session bus), for error messages.
    func stderrTail(lines count: Int = 12) -> String {
        let text = String(decoding: Directories.tail(of: stderrPath, bytes: 8192), as: UTF8.self)
        let lines = text.split(separator: "\n").filter { !$0.contains("dbus") && !$0.contains("D-Bus") }
        guard !lines.isEmpty else { return "(chromium wrote nothing to stderr)" }
        return lines.suffix(count).joined(separator: "\n")
    }

    /// Ends the browser and everything in its process group, and reaps all of it.
    ///
    /// The ladder: `requestClose` (the caller sends `Browser.close`, which lets chromium shut
    /// its helpers down in order), up to `grace` for the browser process to exit, then SIGKILL
    /// to the whole group, then reaping until no process of the group is left (up to 5 s).
    /// The group is signalled while the browser process is still an unreaped zombie, so its
    /// pid, which is the group id, cannot have been recycled. Idempotent.
    ///
    /// The crash handlers adopted at launch are SIGKILLed and reaped last (they would exit by
    /// themselves once the browser is gone; they are our children, so their pids are safe to
    /// signal until we reap them).
    ///
    /// Returns the group's processes that could not be reaped (normally none).
    @discardableResult
    func stop(grace: Duration, requestClose: () -> Void) -> [ProcessTree.Entry] {
        let first = stopping.withLock { stopping in
            defer { stopping = true }
            return !stopping
        }
        guard first else { return [] }
        ChildSubreaper.acquire()
        defer { ChildSubreaper.release() }
        defer {
            for handler in crashHandlers.withLock({ $0 }) {
                kill(handler, SIGKILL)
                var handlerStatus: Int32 = 0
                while waitpid(handler, &handlerStatus, 0) < 0 && errno == EINTR {}
            }
        }

        requestClose()
        let graceEnd = ContinuousClock.now + grace
        while !hasExited() && ContinuousClock.now < graceEnd {
            SystemMonotonicClock().sleep(until: .now + .milliseconds(10))
        }
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7f == 0
        reapedStatus.withLock {
            $0 = Self.describe(
                code: Int32(exited ? CLD_EXITED : CLD_KILLED), status: exited ? (status >> 8) & 0xff : status & 0x7f)
        }

        let reapEnd = ContinuousClock.now + .seconds(5)
        while true {
            var helperStatus: Int32 = 0
            while waitpid(-pid, &helperStatus, WNOHANG) > 0 {}
            // Zombies whose parent is someone else (adopted by PID 1 before we became the
            // subreaper) are not ours to reap; everything else is waited for.
            let left = ProcessTree.snapshot().filter { $0.processGroup == pid }
            let waitable = left.filter { !$0.isZombie || $0.parent == getpid() }
            if waitable.isEmpty || ContinuousClock.now >= reapEnd { return left }
            if waitable.contains(where: { !$0.isZombie }) { kill(-pid, SIGKILL) }
            SystemMonotonicClock().sleep(until: .now + .milliseconds(10))
        }
    }

    private func hasExited() -> Bool {
        var info = siginfo_t()
        return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0
            && info._sifields._sigchld.si_pid == pid
    }

    private static func describe(code: Int32, status: Int32) -> String {
        code == Int32(CLD_EXITED) ? "exited with status \(status)" : "was killed by \(ExitStatus.signalName(status))"
    }

    /// A close-on-exec pipe whose ends are both >= 10.
    private static func makePipe() -> (read: Int32, write: Int32)? {
        var ends: [Int32] = [-1, -1]
        if let pipe2 = LinuxCalls.pipe2 {
            guard pipe2(&ends, O_CLOEXEC) == 0 else { return nil }
        } else {
            guard pipe(&ends) == 0 else { return nil }
        }
        let read = highDescriptor(ends[0])
        let write = highDescriptor(ends[1])
        guard read >= 0, write >= 0 else {
            if read >= 0 { close(read) }
            if write >= 0 { close(write) }
            return nil
        }
        return (read, write)
    }

    /// Moves `fd` to a close-on-exec descriptor >= 10 (closing the original), so that the
    /// child's `dup2` onto 0-4 can never overwrite a descriptor it still has to duplicate.
    private static func highDescriptor(_ fd: Int32) -> Int32 {
        guard fd >= 0 else { return fd }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, 10)
        close(fd)
        return moved
    }
}
