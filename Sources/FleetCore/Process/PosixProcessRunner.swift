import Glibc

/// The real `ProcessRunner`, built on `posix_spawn` (never Foundation.Process, which on
/// Linux hangs when a grandchild holds its pipe, as an `ssh` ControlMaster does, and
/// passes the parent's blocked signals on to children).
///
/// Every child is started with these defenses:
/// - its own process group (or session), so the whole tree can be signalled at once;
/// - an empty signal mask and default dispositions for every catchable signal, so a
///   supervisor that blocks SIGTERM or ignores SIGINT/SIGPIPE does not make its agents
///   unkillable or change how they handle broken pipes;
/// - no descriptors besides 0, 1 and 2: everything the runner opens is `O_CLOEXEC`, and
///   the child additionally closes everything from 3 up (`addclosefrom_np`), including
///   descriptors other code in the process leaked without `O_CLOEXEC`;
/// - an explicit environment and working directory, and the program resolved on the
///   child's PATH up front, so "not found" is a clear error rather than exit 127.
public struct PosixProcessRunner: ProcessRunner {
    public init() {}

    public func run(_ request: ProcessRequest) throws -> ProcessOutput {
        try spawn(request).collectOutput(deadline: request.deadline, grace: request.terminationGrace)
    }

    public func spawn(_ request: ProcessRequest) throws -> RunningProcess {
        try start(request)
    }

    private func start(_ request: ProcessRequest) throws(ProcessError) -> RunningProcess {
        let name = request.executable
        try validate(request)
        let path = try ExecutableLocator.resolve(
            name, environment: request.environment, workingDirectory: request.workingDirectory)
        let argv = try CStringArray([name] + request.arguments)
        let envp = try CStringArray(request.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        let stdio = try ChildStdio(request)

        let io: ProcessIO
        do {
            io = try ProcessIO.start(stdout: stdio.captureStdout, stderr: stdio.captureStderr, stdin: stdio.stdinFeed)
        } catch {
            stdio.closeChildSide()
            if let fd = stdio.stdoutPipe { Descriptor.close(fd) }
            throw ProcessError(
                .resources,
                "cannot start \"\(name)\": cannot start I/O threads: \(error.text); the host is out of threads or memory"
            )
        }

        let startedAt = ContinuousClock.now
        let pid: pid_t
        do {
            pid = try posixSpawn(path: path, argv: argv, envp: envp, stdio: stdio, request: request)
        } catch {
            stdio.closeChildSide()
            _ = io.finish(drain: .zero)
            if let fd = stdio.stdoutPipe { Descriptor.close(fd) }
            throw error
        }
        stdio.closeChildSide()
        return RunningProcess(
            pid: pid, command: name, startedAt: startedAt, io: io, drainAfterExit: request.drainAfterExit,
            standardOutputPipe: stdio.stdoutPipe.map(ReadablePipe.init(fd:)))
    }

    private func posixSpawn(
        path: String, argv: CStringArray, envp: CStringArray, stdio: ChildStdio, request: ProcessRequest
    ) throws(ProcessError) -> pid_t {
        let name = request.executable
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        var rc: Int32 = 0
        for redirection in stdio.redirections where rc == 0 {
            rc = posix_spawn_file_actions_adddup2(&actions, redirection.source, redirection.target)
        }
        if rc == 0, let directory = request.workingDirectory {
            guard let addChdir = GNULibc.addChdir else {
                throw ProcessError(
                    .spawnFailed,
                    "cannot start \"\(name)\" in \(directory): this glibc lacks posix_spawn_file_actions_addchdir_np (2.29+); upgrade glibc or run without a working directory"
                )
            }
            rc = addChdir(&actions, directory)
        }
        // Without it (glibc < 2.34) only O_CLOEXEC protects: our own descriptors stay out
        // of the child, descriptors leaked by other code do not.
        if rc == 0, let addCloseFrom = GNULibc.addCloseFrom {
            rc = addCloseFrom(&actions, 3)
        }
        guard rc == 0 else {
            throw ProcessError(
                .resources, "cannot start \"\(name)\": cannot prepare the spawn: \(Errno(code: rc).text)")
        }

        var flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        switch request.grouping {
        case .newProcessGroup:
            flags |= Int16(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        case .newSession:
            flags |= GNULibc.spawnSetSID
        }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var allCatchable = PosixProcessRunner.allCatchableSignals()
        posix_spawnattr_setsigdefault(&attributes, &allCatchable)
        guard posix_spawnattr_setflags(&attributes, flags) == 0 else {
            throw ProcessError(
                .spawnFailed,
                "cannot start \"\(name)\" in a new session: this glibc lacks POSIX_SPAWN_SETSID (2.26+); upgrade glibc or use a new process group"
            )
        }

        var pid: pid_t = 0
        let spawnRC = posix_spawn(&pid, path, &actions, &attributes, argv.pointer, envp.pointer)
        guard spawnRC == 0 else { throw spawnError(Errno(code: spawnRC), name: name, path: path) }
        return pid
    }

    /// Every signal except SIGKILL and SIGSTOP, including glibc's internal signals 32 and
    /// 33. `sigfillset`/`sigaddset` refuse those two, and glibc's `posix_spawn` sets any
    /// signal missing from the "set to default" list to SIG_IGN in the child, where it
    /// survives exec: children would start with signals 32 and 33 ignored (visible in
    /// their SigIgn). The bits are therefore set directly, word by word, which is
    /// independent of byte order. Public for the other spawner (HeadlessBrowser's, which maps
    /// extra descriptors).
    public static func allCatchableSignals() -> sigset_t {
        var set = sigset_t()
        withUnsafeMutableBytes(of: &set) { raw in
            let words = raw.bindMemory(to: UInt.self)
            for signal in 1..<Int(NSIG) where signal != Int(SIGKILL) && signal != Int(SIGSTOP) {
                let (word, bit) = (signal - 1).quotientAndRemainder(dividingBy: UInt.bitWidth)
                if word < words.count { words[word] |= 1 << UInt(bit) }
            }
        }
        return set
    }

    private func validate(_ request: ProcessRequest) throws(ProcessError) {
        let name = request.executable
        if name.utf8.contains(0) {
            throw ProcessError(
                .invalidRequest,
                "cannot start \(name.debugDescription): the command contains a NUL byte; fix the configured command")
        }
        for (index, argument) in request.arguments.enumerated() where argument.utf8.contains(0) {
            throw ProcessError(
                .invalidRequest,
                "cannot start \"\(name)\": argument \(index + 1) contains a NUL byte, which cannot be passed to a program; remove it"
            )
        }
        for (key, value) in request.environment {
            if key.isEmpty || key.contains("=") || key.utf8.contains(0) {
                throw ProcessError(
                    .invalidRequest,
                    "cannot start \"\(name)\": environment variable name \(key.debugDescription) is empty or contains '=' or NUL; fix the name"
                )
            }
            if value.utf8.contains(0) {
                throw ProcessError(
                    .invalidRequest,
                    "cannot start \"\(name)\": environment variable \(key) contains a NUL byte; remove it")
            }
        }
        if request.standardOutput == .mergeIntoStandardOutput {
            throw ProcessError(
                .invalidRequest,
                "cannot start \"\(name)\": standard output cannot be merged into itself; use .mergeIntoStandardOutput for standard error only"
            )
        }
        if let directory = request.workingDirectory {
            var info = stat()
            guard !directory.utf8.contains(0), stat(directory, &info) == 0 else {
                throw ProcessError(
                    .workingDirectory,
                    "cannot start \"\(name)\": working directory \"\(directory)\" does not exist (\(Errno.current.text)); create it or fix the configured directory"
                )
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw ProcessError(
                    .workingDirectory,
                    "cannot start \"\(name)\": working directory \"\(directory)\" is not a directory; fix the configured directory"
                )
            }
        }
    }

    /// `posix_spawn` reports the child's exec failure (glibc 2.24+); path checks already
    /// passed, so these mostly mean something about the file's contents or the host.
    private func spawnError(_ error: Errno, name: String, path: String) -> ProcessError {
        let prefix = "cannot start \"\(name)\" (\(path))"
        switch error.code {
        case ENOENT:
            return ProcessError(
                .notFound,
                "\(prefix): exec failed with ENOENT; its #! interpreter or dynamic loader is missing (check the script's first line), or the working directory vanished"
            )
        case EACCES, EPERM:
            return ProcessError(
                .notExecutable,
                "\(prefix): permission denied; check execute permission on it and its directories, and that its filesystem is not mounted noexec"
            )
        case ENOEXEC:
            return ProcessError(
                .notExecutable,
                "\(prefix): not a valid executable for this machine (no #! line, or built for another architecture)")
        case E2BIG:
            return ProcessError(
                .invalidRequest,
                "\(prefix): arguments and environment are too large (E2BIG); pass large input through stdin or a file")
        case EAGAIN:
            return ProcessError(
                .resources, "\(prefix): process limit reached (EAGAIN); check `ulimit -u` and the cgroup's pids.max")
        case ENOMEM:
            return ProcessError(.resources, "\(prefix): out of memory; free memory on this host")
        case EMFILE, ENFILE:
            return ProcessError(
                .resources,
                "\(prefix): out of file descriptors (\(error.text)); raise `ulimit -n` or look for a descriptor leak")
        case ETXTBSY:
            return ProcessError(
                .spawnFailed,
                "\(prefix): the file is being written (ETXTBSY); retry once the install or upgrade has finished")
        default:
            return ProcessError(.spawnFailed, "\(prefix): \(error.text)")
        }
    }
}
