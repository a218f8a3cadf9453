import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Layer 2: the restart-on-exit loop. Runs rounds until a stop trigger, a give-up breaker or a
/// signal, and maps each ending to the exit code systemd acts on (0 clean, 1 already running or
/// a failed startup hook, 75 crash loop, 78 broken config).
///
/// Every effect (clocks, spawning, files, jitter) comes from ``Effects``: production passes
/// the machine's, a test passes a fake clock and a scripted runner and checks the schedule.
public final class Supervisor: Sendable {
    public struct Options: Sendable {
        public var maxRoundsOverride: Int?
        public var once = false
        /// `--ignore-schedule`: no `[schedule]` or per-phase window gates (the memory gate stays).
        public var ignoreSchedule = false
        /// Runs once, after the first round (serve: ``StartupCodeRelease``).
        public var afterFirstRound: (@Sendable () -> Void)?
        public init(
            maxRoundsOverride: Int? = nil, once: Bool = false, ignoreSchedule: Bool = false,
            afterFirstRound: (@Sendable () -> Void)? = nil
        ) {
            self.maxRoundsOverride = maxRoundsOverride
            self.once = once
            self.ignoreSchedule = ignoreSchedule
            self.afterFirstRound = afterFirstRound
        }
    }

    let config: AgentRunnerConfig
    let effects: Effects
    let environment: [String: String]
    let stderr: any TextOutput
    let stop: StopRequest
    let memory: MemorySource

    /// `memory` is where the memory defenses read the host and serve's cgroup (the machine's
    /// `/proc` and cgroup files in production, scripted readings in a test).
    public init(
        config: AgentRunnerConfig, effects: Effects, environment: [String: String], stderr: any TextOutput,
        stop: StopRequest, memory: MemorySource = .live
    ) {
        self.config = config
        self.effects = effects
        self.environment = environment
        self.stderr = stderr
        self.stop = stop
        self.memory = memory
    }

    var logDir: String { config.runtime.logDir }

    /// Runs serve; returns the process exit code.
    public func run(_ options: Options) -> Int32 {
        if let error = effects.fileSystem.createPrivateDirectory(logDir) {
            stderr.write(
                "agent-runner: cannot create log dir \(logDir): \(SystemError.text(error)); "
                    + "fix [runtime] log_dir or its permissions\n")
            return ExitCode.config
        }
        if let problem = effects.fileSystem.privateDirectoryProblem(logDir) {
            stderr.write(
                "agent-runner: refusing log_dir \(logDir): \(problem.reason); \(problem.fix), "
                    + "or set [runtime] log_dir to a directory of your own\n")
            return ExitCode.config
        }
        guard let lock = acquireLock() else { return ExitCode.failure }
        defer { lock.release() }
        let events = EventSink(logDir: logDir, clock: effects.wallClock, stderr: stderr)
        let pidFile = PidFile(path: logDir + "/serve.pid")
        do {
            try pidFile.write()
        } catch {
            stderr.write("agent-runner: cannot write \(pidFile.path): \(error)\n")
        }
        defer { try? pidFile.remove() }

        let triggers = StopTriggers(
            stop: stop, stopFile: config.runtime.stopFile,
            sentinelPath: logDir + "/.agent-done", fileSystem: effects.fileSystem,
            clock: effects.clock)
        let rounds = RoundRunner(
            config: config, events: events, effects: effects, environment: environment,
            stderr: stderr)
        startUp(
            events: events, triggers: triggers, rounds: rounds,
            maxRounds: options.maxRoundsOverride ?? config.runtime.maxRounds)
        let defenses = ServeMemoryDefenses(
            config: config, sampler: memory.make(), clock: effects.clock, wallClock: effects.wallClock, events: events,
            priorLoopEpochs: ServeMemoryDefenses.priorLoopEpochs(logDir: logDir))
        rounds.memory = defenses
        if let ending = refuseOverlappingPhaseWindows(events: events) {
            return finish(ending, rounds: 0, events: events)
        }
        if let ending = runStartupHooks(rounds.hooks, events: events) {
            return finish(ending, rounds: 0, events: events)
        }
        var loop = RestartLoop(
            config: config, options: options, rounds: rounds, triggers: triggers, gate: throttleGate(triggers, events),
            throttles: AgentThrottles(logDir: logDir),
            gates: roundGates(triggers, events, memory: defenses, ignoreSchedule: options.ignoreSchedule),
            events: events, fileSystem: effects.fileSystem, stderr: stderr)
        let ending = loop.run()
        return finish(ending, rounds: loop.completed, events: events)
    }

    /// `serve.lock` for serve's lifetime: one serve per project.
    private func acquireLock() -> FileLock? {
        do {
            return try FileLock.acquire(logDir + "/serve.lock")
        } catch let held as FileLock.HeldError {
            let holder = held.holderPID.map { " (pid \($0))" } ?? ""
            stderr.write(
                "agent-runner: serve already running for \(config.runtime.workDir)\(holder); "
                    + "stop it with 'agent-runner stop' first\n")
        } catch {
            stderr.write("agent-runner: cannot lock \(logDir)/serve.lock: \(error)\n")
        }
        return nil
    }

    /// Boot housekeeping, then `serve_started`: a stale sentinel goes, an agent left running by
    /// a serve that died is killed, logs past retention are pruned (and again before each round).
    private func startUp(events: EventSink, triggers: StopTriggers, rounds: RoundRunner, maxRounds: Int?) {
        triggers.removeStaleSentinel()
        let reaper = StaleAgentReaper(pidFile: PidFile(path: logDir + "/agent.pid"), clock: effects.clock)
        if let killed = reaper.reap() {
            events.emit(killed)
            stderr.write("agent-runner: killed an agent (pid \(killed.pid)) left running by a previous serve\n")
        }
        // A schedule may keep the first round hours away: the logs are pruned now too.
        rounds.pruneLogs()
        events.emit(
            ServeStarted(
                pid: getpid(), version: BuildInfo.version, configPath: config.configPath,
                maxRounds: maxRounds))
    }

    /// `serve_startup` hooks; the first failure stops serve before its first round.
    private func runStartupHooks(_ hooks: RoundHooks, events: EventSink) -> ServeEnding? {
        let runner = HookRunner(effects: effects, workDir: config.runtime.workDir)
        for hook in config.hooks.serveStartup where !config.plugins.disable.contains(hook.name) {
            let outcome = runner.run(hook, environment: hooks.environment(round: 0, phase: nil))
            guard !outcome.succeeded else { continue }
            events.emit(ServeStartupHookFailed(hook: hook.name, outcome: outcome))
            let how = outcome.timedOut ? "timed out" : outcome.exit.description
            stderr.write("agent-runner: serve_startup hook '\(hook.name)' failed (\(how)): \(outcome.outputTail)\n")
            return .startupHookFailed
        }
        return nil
    }

    /// Step 7 of the boot (commands.md §2.13): phases that run different agents in overlapping
    /// windows would alternate agents round after round; serve refuses to start (exit 78).
    private func refuseOverlappingPhaseWindows(events: EventSink) -> ServeEnding? {
        let overlaps = config.phaseWindowOverlaps
        guard let first = overlaps.first else { return nil }
        let detail = overlaps.map(\.description).joined(separator: "; ")
        let key = "phases.\(first.phaseA).schedule.run_windows"
        let line = config.origins[key].flatMap { origin -> Int? in
            if case .file(_, let line) = origin { return line }
            return nil
        }
        let error = ConfigError(
            file: config.displayPath, line: line, key: key,
            message: "phase-window overlap: \(detail); separate the phases' run_windows, or add a pause_window "
                + "that carves the overlap out")
        events.emit(ConfigBroken(reason: error.message))
        stderr.write("agent-runner: \(error)\n")
        return .configBroken
    }

    private func roundGates(
        _ triggers: StopTriggers, _ events: EventSink, memory: ServeMemoryDefenses,
        ignoreSchedule: Bool
    ) -> RoundGates {
        let schedule = ScheduleGate(
            schedules: config.schedules, ignoreSchedule: ignoreSchedule,
            wallClock: effects.wallClock, clock: effects.clock, triggers: triggers,
            events: events)
        let throttles = PhaseThrottles(config: config, random: effects.random, events: events)
        return RoundGates(
            memory: memory, schedule: schedule, wallClock: effects.wallClock,
            transientErrorAction: config.runtime.transientErrorAction, throttles: throttles)
    }

    private func throttleGate(_ triggers: StopTriggers, _ events: EventSink) -> ThrottleGate {
        ThrottleGate(
            action: config.runtime.transientErrorAction, jitterMaxS: Int64(config.runtime.backoffJitterS),
            wallClock: effects.wallClock, clock: effects.clock, random: effects.random, triggers: triggers,
            events: events)
    }

    private func finish(_ ending: ServeEnding, rounds: Int, events: EventSink) -> Int32 {
        events.emit(ServeStopped(reason: ending.reason, roundsCompleted: rounds, exitCode: ending.exitCode))
        return ending.exitCode
    }
}
