import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// serve without systemd (Alpine/OpenRC, containers): `start` daemonizes it, `stop` asks it to
/// finish its round and waits until it really exited, `kill` force-stops it and its agent.
/// The state is serve's own `serve.pid` (written once it holds serve.lock, removed at exit), so
/// a serve started any other way (a container entrypoint, a shell) is seen the same way.
///
/// Every wait is a call on `effects.clock` (start: until serve.pid names the new serve; stop:
/// until serve is gone), so the schedules are tested on a fake clock.
public struct ServeDaemon: Sendable {
    /// How often `start` looks for serve.pid.
    static let startTick: Duration = .milliseconds(50)
    /// How often `stop` looks whether serve is gone.
    static let stopTick: Duration = .milliseconds(100)

    public let paths: ServicePaths
    let effects: Effects
    let processes: any ProcessTable
    let environment: [String: String]

    public init(paths: ServicePaths, effects: Effects, processes: any ProcessTable, environment: [String: String]) {
        self.paths = paths
        self.effects = effects
        self.processes = processes
        self.environment = environment
    }

    var servePidFile: PidFile { PidFile(path: paths.servePidPath) }

    /// Starts `executable serve --config <config>` in a new session (no controlling terminal,
    /// so a closing ssh session or terminal does not SIGHUP it), stdin /dev/null, stdout and
    /// stderr appended to log_dir/serve.log, cwd work_dir. Returns serve's pid once serve.pid
    /// names it; throws with serve.log's new lines when serve exited instead.
    public func start(executable: String, readyTimeout: Duration = .seconds(20)) throws(LifecycleError) -> Int32 {
        if let error = effects.fileSystem.createPrivateDirectory(paths.logDir) {
            throw LifecycleError(
                "cannot create log dir \(paths.logDir): \(SystemError.text(error)); "
                    + "fix [runtime] log_dir or its permissions")
        }
        // serve refuses such a directory too, but serve.log is opened in it before serve runs.
        if let problem = effects.fileSystem.privateDirectoryProblem(paths.logDir) {
            throw LifecycleError(
                "refusing log_dir \(paths.logDir): \(problem.reason); \(problem.fix), "
                    + "or set [runtime] log_dir to a directory of your own")
        }
        // serve.log is appended to by a child process: its offset is the file's, read directly.
        let logOffset = Directories.size(of: paths.serveLogPath) ?? 0
        let process: RunningProcess
        do {
            process = try effects.processes.spawn(serveRequest(executable))
        } catch {
            throw LifecycleError("cannot start serve: \(error)")
        }
        var exited: ExitStatus?
        let ready = effects.clock.sleep(until: effects.clock.now + readyTimeout, tick: Self.startTick) {
            exited = process.poll()
            return exited != nil || processes.running(servePidFile)?.pid == process.pid
        }
        if let status = exited {
            let log = Directories.read(paths.serveLogPath, from: logOffset, limit: 4000)
            let said = String(decoding: log, as: UTF8.self).trimmedLines
            throw LifecycleError(
                "serve exited at once (\(status))\(said.isEmpty ? "" : ": " + said); "
                    + "full log: \(paths.serveLogPath)", exitCode: ExitCode.failure)
        }
        guard ready else {
            throw LifecycleError(
                "serve (pid \(process.pid)) started but did not write \(paths.servePidPath) within "
                    + "\(readyTimeout.components.seconds) s; read \(paths.serveLogPath)")
        }
        return process.pid
    }

    /// `executable serve --config <config>` as a daemon: its own session, no stdin, output to
    /// serve.log, cwd work_dir, and no AGENT_RUNNER_CONFIG (the --config is what counts).
    func serveRequest(_ executable: String) -> ProcessRequest {
        var env = environment
        env.removeValue(forKey: "AGENT_RUNNER_CONFIG")
        return ProcessRequest(
            executable, arguments: ["serve", "--config", paths.configPath], environment: env,
            workingDirectory: paths.workDir, standardInput: .null, standardOutput: .appendToFile(paths.serveLogPath),
            standardError: .mergeIntoStandardOutput, grouping: .newSession)
    }

    public enum StopOutcome: Sendable, Equatable {
        case notRunning
        case stopped(pid: Int32, elapsed: Duration)
        /// serve got SIGTERM but is still finishing its round when the wait ran out.
        case stillRunning(pid: Int32, elapsed: Duration)
    }

    /// SIGTERM to serve, which finishes the round in flight and exits; waits up to `timeout`
    /// for the process to be gone.
    public func stop(timeout: Duration) throws(LifecycleError) -> StopOutcome {
        guard let serve = processes.running(servePidFile) else { return .notRunning }
        let started = effects.clock.now
        let code = processes.send(SIGTERM, to: serve.pid)
        if code == ESRCH { return .notRunning }
        if code != 0 { throw signalRefused(serve.pid, code) }
        // The process itself, not serve.pid: serve removes its pid file before it has exited.
        let gone = effects.clock.sleep(until: started + timeout, tick: Self.stopTick) {
            guard let now = processes.entry(for: serve.pid) else { return true }
            return now.isZombie || now.startTime != serve.startTime
        }
        let elapsed = effects.clock.now - started
        return gone ? .stopped(pid: serve.pid, elapsed: elapsed) : .stillRunning(pid: serve.pid, elapsed: elapsed)
    }

    /// Why serve could not be signalled; for another user's serve, whose it is and who can stop it.
    private func signalRefused(_ pid: Int32, _ code: Int32) -> LifecycleError {
        guard code == EPERM, let owner = ProcessTree.userID(of: pid) else {
            return LifecycleError("cannot signal serve (pid \(pid)): \(SystemError.text(code))")
        }
        let name = ProcessTree.userName(owner)
        return LifecycleError(
            "cannot signal serve (pid \(pid)): \(SystemError.text(code)); it runs as \(name), "
                + "not as \(ProcessTree.userName(getuid())): stop it as \(name)\(owner == 0 ? "" : " (or root)")")
    }

    /// The kill ladder over serve, the agent's process group (log_dir/agent.pid) and their
    /// escaped descendants.
    public func kill(grace: Duration = .seconds(5)) -> KillLadder.Outcome {
        KillLadder(
            servePidFile: servePidFile, agentPidFile: PidFile(path: paths.agentPidPath), grace: grace,
            clock: effects.clock, processes: processes
        ).run()
    }

    /// Removes a serve.pid whose process is gone (serve was SIGKILLed or the host rebooted), so
    /// mode detection stops reporting a pid-file service. Returns the stale pid it removed.
    @discardableResult
    public func removeStalePidFile() -> Int32? {
        guard let record = try? servePidFile.read(), processes.running(servePidFile) == nil else { return nil }
        effects.fileSystem.removeFile(servePidFile.path)
        return record.pid
    }
}
