import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `start`, `stop`, `kill` and `restart` for whichever mode runs this project's supervisor: a
/// user unit (through `systemctl --user`) or a pid-file serve (``ServeDaemon``). A system unit is
/// root's: every verb refuses and prints the sudo command, so no second supervisor is ever
/// started beside it on the same work tree.
///
/// Its waits (a unit going active or inactive, the kill grace) are calls on `effects.clock`
/// and its commands go through `effects.processes`: a test drives a whole stop or start with a
/// fake clock and a scripted `systemctl`.
public struct ServiceController: Sendable {
    /// How often a wait asks `systemctl is-active`.
    static let unitTick: Duration = .milliseconds(200)
    /// How long `start` waits for a user unit to become active.
    static let unitStartTimeout: Duration = .seconds(5)

    public let paths: ServicePaths
    public let config: AgentRunnerConfig
    let effects: Effects
    let processes: any ProcessTable
    let environment: [String: String]
    let stderr: any TextOutput
    /// The agent-runner that `start` daemonizes in pid-file mode.
    let executable: String

    public init(
        paths: ServicePaths, config: AgentRunnerConfig, effects: Effects, processes: any ProcessTable,
        environment: [String: String], stderr: any TextOutput, executable: String
    ) {
        self.paths = paths
        self.config = config
        self.effects = effects
        self.processes = processes
        self.environment = environment
        self.stderr = stderr
        self.executable = executable
    }

    public var systemctl: Systemctl {
        let command = SystemCommand(
            "systemctl", runner: effects.processes, clock: effects.clock,
            environment: environment)
        return Systemctl(command, scope: .user)
    }

    public var detector: ServiceModeDetector { ServiceModeDetector(paths: paths, systemctl: systemctl) }

    public var daemon: ServeDaemon {
        ServeDaemon(paths: paths, effects: effects, processes: processes, environment: environment)
    }

    /// `stop`'s default wait: the same budget as the unit's TimeoutStopSec.
    public var defaultStopTimeout: Duration { .seconds(StopBudget(config: config).totalS) }

    func say(_ line: String) { stderr.write("agent-runner: \(line)\n") }

    /// Refuses a log dir this user may not enter: another user's (0700 since serve makes it
    /// private). Without this, serve.pid is invisible and `stop` would call a running serve
    /// "not running"; the refusal names the owner to run the verb as.
    func refuseIfLogDirForbidden(_ command: String) throws(LifecycleError) {
        var info = stat()
        guard stat(paths.logDir, &info) == 0, access(paths.logDir, R_OK | X_OK) != 0 else { return }
        let code = errno
        guard code == EACCES || code == EPERM else { return }
        let owner = ProcessTree.userName(info.st_uid)
        throw LifecycleError(
            "cannot read the log dir \(paths.logDir) (\(SystemError.text(code))): it is \(owner)'s and private; "
                + "run agent-runner \(command) as \(owner) (or root)")
    }

    func refuseIfSystemManaged(_ state: ServiceState, _ command: String) throws(LifecycleError) {
        guard let unit = state.systemUnitPath else { return }
        throw LifecycleError(
            "\(paths.project) is managed by a system unit (\(unit)); "
                + "run: sudo systemctl \(command) \(paths.serveUnitName)")
    }

    // MARK: start

    /// Starts the supervisor unless it runs already; returns the state afterwards.
    @discardableResult
    public func start(executable override: String? = nil) throws(LifecycleError) -> ServiceState {
        try refuseIfLogDirForbidden("start")
        let state = detector.detect()
        try refuseIfSystemManaged(state, "start")
        switch state.mode {
        case .systemdUser:
            if state.active {
                say("\(paths.serveUnitName) is already \(state.userUnitState ?? "active")")
                return state
            }
            try systemctl.check(["start", paths.serveUnitName])
            let answer = waitForUnit(timeout: Self.unitStartTimeout) { $0 == "active" || Systemctl.isStopped($0) }
            guard answer == "active" else {
                throw LifecycleError(
                    "\(paths.serveUnitName) did not come up (is-active: \(answer ?? "no answer")); "
                        + "see: journalctl --user -u \(paths.serveUnitName) -n 50")
            }
            say("started \(paths.serveUnitName)")
        case .pidFile, .none:
            if let pid = state.servePID {
                say("already running (serve pid \(pid))")
                return state
            }
            daemon.removeStalePidFile()
            let pid = try daemon.start(executable: override ?? executable)
            say("started serve (pid \(pid)); log: \(paths.serveLogPath)")
        }
        return detector.detect()
    }

    // MARK: stop

    public enum StopResult: Sendable, Equatable {
        case notRunning
        case stopped(elapsed: Duration)
    }

    /// Graceful stop: the round in flight finishes first. Prints `stopping service...` and, only
    /// once the supervisor is really gone, `stopped (12.4 s)`. Throws when it is still draining
    /// after `timeout` (the stop stays requested: it completes when the round ends).
    @discardableResult
    public func stop(timeout: Duration? = nil) throws(LifecycleError) -> StopResult {
        let timeout = timeout ?? defaultStopTimeout
        try refuseIfLogDirForbidden("stop")
        let state = detector.detect()
        try refuseIfSystemManaged(state, "stop")
        switch state.mode {
        case .systemdUser:
            return try stopUnit(state, timeout: timeout)
        case .pidFile, .none:
            guard state.servePID != nil else {
                let stale = daemon.removeStalePidFile()
                say("not running" + (stale.map { " (removed a stale serve.pid of pid \($0))" } ?? ""))
                return .notRunning
            }
            say("stopping service...")
            switch try daemon.stop(timeout: timeout) {
            case .notRunning:
                say("not running")
                return .notRunning
            case .stopped(_, let elapsed):
                say("stopped (\(elapsed.shortText))")
                return .stopped(elapsed: elapsed)
            case .stillRunning(let pid, let elapsed):
                throw stillDraining("serve (pid \(pid)) is still finishing its round", elapsed: elapsed)
            }
        }
    }

    /// `systemctl --user --no-block stop`, then waits for the unit to be inactive or failed.
    private func stopUnit(_ state: ServiceState, timeout: Duration) throws(LifecycleError) -> StopResult {
        if Systemctl.isStopped(state.userUnitState) {
            say("not running (\(paths.serveUnitName) is \(state.userUnitState ?? "inactive"))")
            return .notRunning
        }
        say("stopping service...")
        let started = effects.clock.now
        try systemctl.check(["--no-block", "stop", paths.serveUnitName])
        let answer = waitForUnit(timeout: timeout) { Systemctl.isStopped($0) }
        let elapsed = effects.clock.now - started
        guard Systemctl.isStopped(answer) else {
            throw stillDraining("\(paths.serveUnitName) is \(answer ?? "in an unknown state")", elapsed: elapsed)
        }
        say("stopped (\(elapsed.shortText))")
        return .stopped(elapsed: elapsed)
    }

    func stillDraining(_ what: String, elapsed: Duration) -> LifecycleError {
        let budget = StopBudget(config: config)
        return LifecycleError(
            "still stopping after \(elapsed.shortText): \(what); it exits when the round ends "
                + "(at most \(budget.totalS)s: \(budget.explanation)). To stop now: agent-runner kill")
    }

    // MARK: kill

    public struct KillResult: Sendable, Equatable {
        public var signalled: Int
        public var killed: Int
    }

    /// Force stop: SIGTERM to serve and to the agent's whole process group and escaped
    /// descendants, SIGKILL to whatever is left after 5 s. The round in flight is lost.
    @discardableResult
    public func kill(grace: Duration = .seconds(5)) throws(LifecycleError) -> KillResult {
        try refuseIfLogDirForbidden("kill")
        let state = detector.detect()
        try refuseIfSystemManaged(state, "kill --signal=SIGKILL")
        if state.mode == .systemdUser {
            return try killUnit(state, grace: grace)
        }
        let outcome = daemon.kill(grace: grace)
        guard !outcome.targets.isEmpty else {
            daemon.removeStalePidFile()
            say("not running")
            return KillResult(signalled: 0, killed: 0)
        }
        if !outcome.refused.isEmpty {
            throw refusal(outcome)
        }
        if !outcome.survivors.isEmpty {
            throw LifecycleError(
                "\(HumanText.count(outcome.survivors.count, "process")) survived SIGKILL: "
                    + "\(outcome.survivors.map(\.description).joined(separator: ", ")) "
                    + "(uninterruptible I/O?); check them with ps")
        }
        let forced =
            outcome.killed.isEmpty
            ? "" : ", \(outcome.killed.count) needed SIGKILL after \(grace.shortText)"
        say("killed serve and its agent (\(HumanText.count(outcome.targets.count, "process"))\(forced))")
        return KillResult(signalled: outcome.targets.count, killed: outcome.killed.count)
    }

    /// `systemctl kill` signals every process of the unit's cgroup: serve, the agent and
    /// anything the agent started, wherever it moved its process group.
    private func killUnit(_ state: ServiceState, grace: Duration) throws(LifecycleError) -> KillResult {
        if Systemctl.isStopped(state.userUnitState) {
            say("not running (\(paths.serveUnitName) is \(state.userUnitState ?? "inactive"))")
            return KillResult(signalled: 0, killed: 0)
        }
        try systemctl.check(["kill", "--signal=SIGTERM", paths.serveUnitName])
        if Systemctl.isStopped(waitForUnit(timeout: grace) { Systemctl.isStopped($0) }) {
            say("killed \(paths.serveUnitName) (SIGTERM)")
            return KillResult(signalled: 1, killed: 0)
        }
        try systemctl.check(["kill", "--signal=SIGKILL", paths.serveUnitName])
        // A SIGKILLed serve counts as a failure and Restart=on-failure would bring it back:
        // a stop job cancels that restart.
        try systemctl.check(["--no-block", "stop", paths.serveUnitName])
        say("killed \(paths.serveUnitName) (SIGKILL after \(grace.components.seconds)s)")
        return KillResult(signalled: 1, killed: 1)
    }

    /// Processes of another user: whose they are, and who can kill them.
    func refusal(_ outcome: KillLadder.Outcome) -> LifecycleError {
        let owners = outcome.refused.map { ProcessTree.userID(of: $0.pid).map(ProcessTree.userName) ?? "another user" }
        let shown = 5
        let listed =
            zip(outcome.refused, owners).prefix(shown)
            .map { "\($0.pid) (\($0.command), user \($1))" }.joined(separator: ", ")
            + (outcome.refused.count > shown ? " and \(outcome.refused.count - shown) more" : "")
        let who = Array(Set(owners)).sorted().joined(separator: " or ") + (Set(owners) == ["root"] ? "" : " (or root)")
        let them = outcome.refused.count == 1 ? "it" : "them"
        let denied = "\(ProcessTree.userName(getuid())) may not signal \(them) (\(SystemError.text(EPERM)))"
        // No survivors: serve itself was refused, and the ladder signalled nothing.
        if outcome.survivors.isEmpty {
            return LifecycleError(
                "cannot kill serve: \(listed): \(denied); nothing was signalled. "
                    + "Run agent-runner kill as \(who)")
        }
        return LifecycleError("could not kill \(listed): \(denied); kill \(them) as \(who)")
    }

    // MARK: restart

    /// stop (or kill with `force`), then start. A stop that is still draining aborts the
    /// restart: starting now would run two supervisors.
    public func restart(force: Bool, timeout: Duration? = nil) throws(LifecycleError) {
        try refuseIfLogDirForbidden("restart")
        try refuseIfSystemManaged(detector.detect(), "restart")
        if force {
            try kill()
        } else {
            try stop(timeout: timeout)
        }
        try start()
    }

    // MARK: helpers

    /// Asks `is-active` every ``unitTick`` until `done` holds or `timeout` passes; returns the
    /// last answer.
    func waitForUnit(timeout: Duration, _ done: (String?) -> Bool) -> String? {
        let clock = effects.clock
        let deadline = clock.now + timeout
        var answer = systemctl.activeState(paths.serveUnitName)
        while !done(answer) && clock.now < deadline {
            clock.sleep(until: min(deadline, clock.now + Self.unitTick))
            answer = systemctl.activeState(paths.serveUnitName)
        }
        return answer
    }
}
