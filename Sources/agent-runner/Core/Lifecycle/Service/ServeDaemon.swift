#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FleetCore

/// serve without systemd (Alpine/OpenRC, containers): `start` daemonizes it, `stop` asks it to
/// finish its round and waits until it really exited, `kill` force-stops it and its agent.
/// The state is serve's own `serve.pid` (written once it holds serve.lock, removed at exit), so
/// a serve started any other way (a container entrypoint, a shell) is seen the same way.
public struct ServeDaemon: Sendable {
    public let paths: ServicePaths
    let runner: any ProcessRunner
    let environment: [String: String]

    public init(paths: ServicePaths, runner: any ProcessRunner, environment: [String: String]) {
        self.paths = paths
        self.runner = runner
        self.environment = environment
    }

    var servePidFile: PidFile { PidFile(path: paths.servePidPath) }

    /// Starts `executable serve --config <config>` in a new session (no controlling terminal,
    /// so a closing ssh session or terminal does not SIGHUP it), stdin /dev/null, stdout and
    /// stderr appended to log_dir/serve.log, cwd work_dir. Returns serve's pid once serve.pid
    /// names it; throws with serve.log's new lines when serve exited instead.
    public func start(executable: String, readyTimeout: Duration = .seconds(20)) throws(LifecycleError) -> Int32 {
        if let error = Directories.create(paths.logDir) {
            throw LifecycleError("cannot create log dir \(paths.logDir): \(SystemError.text(error)); fix [runtime] log_dir or its permissions")
        }
        let logOffset = Directories.size(of: paths.serveLogPath) ?? 0
        var env = environment
        env.removeValue(forKey: "AGENT_RUNNER_CONFIG")
        let request = ProcessRequest(
            executable, arguments: ["serve", "--config", paths.configPath], environment: env, workingDirectory: paths.workDir,
            standardInput: .null, standardOutput: .appendToFile(paths.serveLogPath), standardError: .mergeIntoStandardOutput,
            grouping: .newSession)
        let process: RunningProcess
        do {
            process = try runner.spawn(request)
        } catch {
            throw LifecycleError("cannot start serve: \(error)")
        }
        let deadline = ContinuousClock.now + readyTimeout
        while ContinuousClock.now < deadline {
            if let status = process.poll() {
                let said = String(decoding: Directories.read(paths.serveLogPath, from: logOffset, limit: 4000), as: UTF8.self).trimmedLines
                throw LifecycleError("serve exited at once (\(status))\(said.isEmpty ? "" : ": " + said); full log: \(paths.serveLogPath)",
                                     exitCode: ExitCode.failure)
            }
            if let record = try? servePidFile.read(), record.pid == process.pid, PidFile.isRunning(record) {
                return process.pid
            }
            usleep(50_000)
        }
        throw LifecycleError("serve (pid \(process.pid)) started but did not write \(paths.servePidPath) within \(readyTimeout.components.seconds) s; read \(paths.serveLogPath)")
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
        guard let record = try? servePidFile.read(), PidFile.isRunning(record) else { return .notRunning }
        let started = ContinuousClock.now
        if Glibc.kill(record.pid, SIGTERM) != 0 {
            let code = errno
            if code == ESRCH { return .notRunning }
            guard code == EPERM, let owner = ProcessTree.userID(of: record.pid) else {
                throw LifecycleError("cannot signal serve (pid \(record.pid)): \(SystemError.text(code))")
            }
            let name = ProcessTree.userName(owner)
            throw LifecycleError("cannot signal serve (pid \(record.pid)): \(SystemError.text(code)); it runs as \(name), "
                + "not as \(ProcessTree.userName(getuid())): stop it as \(name)\(owner == 0 ? "" : " (or root)")")
        }
        let deadline = started + timeout
        while PidFile.isRunning(record) {
            if ContinuousClock.now >= deadline { return .stillRunning(pid: record.pid, elapsed: .now - started) }
            usleep(100_000)
        }
        return .stopped(pid: record.pid, elapsed: .now - started)
    }

    /// The kill ladder over serve, the agent's process group (log_dir/agent.pid) and their
    /// escaped descendants.
    public func kill(grace: Duration = .seconds(5)) -> KillLadder.Outcome {
        KillLadder(servePidFile: servePidFile, agentPidFile: PidFile(path: paths.agentPidPath), grace: grace).run()
    }

    /// Removes a serve.pid whose process is gone (serve was SIGKILLed or the host rebooted), so
    /// mode detection stops reporting a pid-file service. Returns the stale pid it removed.
    @discardableResult
    public func removeStalePidFile() -> Int32? {
        guard let record = try? servePidFile.read(), !PidFile.isRunning(record) else { return nil }
        try? servePidFile.remove()
        return record.pid
    }
}
