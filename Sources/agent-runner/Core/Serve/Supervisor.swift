#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FleetCore

/// Layer 2: the restart-on-exit loop. Runs rounds until a stop trigger, a give-up breaker or a
/// signal, and maps each ending to the exit code systemd acts on (0 clean, 1 already running or
/// a failed startup hook, 75 crash loop, 78 broken config).
public final class Supervisor: @unchecked Sendable {
    public struct Options: Sendable {
        public var maxRoundsOverride: Int?
        public var once = false
        public init(maxRoundsOverride: Int? = nil, once: Bool = false) {
            self.maxRoundsOverride = maxRoundsOverride
            self.once = once
        }
    }

    let config: AgentRunnerConfig
    let runner: any ProcessRunner
    let environment: [String: String]
    let clock: any WallClock
    let stderr: any TextOutput
    let stop: StopRequest
    /// Jitter source for back-off: a value in the given range. Injected so tests are repeatable.
    let jitter: @Sendable (ClosedRange<Int64>) -> Int64

    public init(config: AgentRunnerConfig, runner: any ProcessRunner, environment: [String: String], clock: any WallClock,
                stderr: any TextOutput, stop: StopRequest, jitter: @escaping @Sendable (ClosedRange<Int64>) -> Int64 = { Int64.random(in: $0) }) {
        self.config = config
        self.runner = runner
        self.environment = environment
        self.clock = clock
        self.stderr = stderr
        self.stop = stop
        self.jitter = jitter
    }

    var logDir: String { config.runtime.logDir }
    var sentinelPath: String { logDir + "/.agent-done" }

    /// Runs serve; returns the process exit code.
    public func run(_ options: Options) -> Int32 {
        if let error = Directories.create(logDir) {
            stderr.write("agent-runner: cannot create log dir \(logDir): \(SystemError.text(error)); fix [runtime] log_dir or its permissions\n")
            return ExitCode.config
        }
        let lock: FileLock
        do {
            lock = try FileLock.acquire(logDir + "/serve.lock")
        } catch let held as FileLock.HeldError {
            let holder = held.holderPID.map { " (pid \($0))" } ?? ""
            stderr.write("agent-runner: serve already running for \(config.runtime.workDir)\(holder); stop it with 'agent-runner stop' first\n")
            return ExitCode.failure
        } catch {
            stderr.write("agent-runner: cannot lock \(logDir)/serve.lock: \(error)\n")
            return ExitCode.failure
        }
        defer { lock.release() }
        let events = EventSink(logDir: logDir, clock: clock, stderr: stderr)
        let pidFile = PidFile(path: logDir + "/serve.pid")
        do {
            try pidFile.write()
        } catch {
            stderr.write("agent-runner: cannot write \(pidFile.path): \(error)\n")
        }
        defer { try? pidFile.remove() }

        unlink(sentinelPath)
        killStaleAgent(events: events)
        switch RoundLogs(logDir: logDir).prune(keep: config.runtime.roundLogRetention) {
        case .deferred(let existing, let keep, let wouldDelete):
            events.emit(RoundLogsPruneDeferred(directory: logDir, existing: existing, keep: keep, wouldDelete: wouldDelete))
        case .deleted, .nothingToDo:
            break
        }
        let maxRounds = options.maxRoundsOverride ?? config.runtime.maxRounds
        events.emit(ServeStarted(pid: getpid(), version: BuildInfo.version, configPath: config.configPath, maxRounds: maxRounds))

        let rounds = RoundRunner(config: config, events: events, runner: runner, environment: environment, clock: clock, stderr: stderr)
        let hooks = HookRunner(runner: runner, workDir: config.runtime.workDir)
        for hook in config.hooks.serveStartup where !config.plugins.disable.contains(hook.name) {
            let outcome = hooks.run(hook, environment: rounds.hookEnv(round: 0, phase: nil))
            if !outcome.succeeded {
                events.emit(ServeStartupHookFailed(hook: hook.name, outcome: outcome))
                stderr.write("agent-runner: serve_startup hook '\(hook.name)' failed (\(outcome.timedOut ? "timed out" : outcome.exit.description)): \(outcome.outputTail)\n")
                return finish(events, reason: "serve_startup_hook_failed", rounds: 0, code: ExitCode.failure)
            }
        }

        var policy = RestartPolicy(restartDelayS: config.runtime.restartDelayS)
        var throttle = ThrottleTracker(logDir: logDir, agent: config.agent.binary)
        var completed = 0
        var nextRound = rounds.nextRoundNumber()
        var environmentStreak = 0
        while true {
            if let reason = sentinelReason() {
                events.emit(AgentSelfTerminated(reason: reason))
                return finish(events, reason: "agent_self_terminated", rounds: completed, code: ExitCode.success)
            }
            switch throttleGate(events: events, throttle: &throttle) {
            case .proceed: break
            case .stopRequested: return finish(events, reason: "signal", rounds: completed, code: ExitCode.success)
            case .stopFile: return stopFileDetected(events, rounds: completed)
            case .selfTerminated: return finish(events, reason: "agent_self_terminated", rounds: completed, code: ExitCode.success)
            }
            if stopFileExists() { return stopFileDetected(events, rounds: completed) }
            if let maxRounds, completed >= maxRounds {
                events.emit(MaxRoundsReached(roundsCompleted: completed, maxRounds: maxRounds))
                return finish(events, reason: "max_rounds_reached", rounds: completed, code: ExitCode.success)
            }
            if stop.isRequested { return finish(events, reason: "signal", rounds: completed, code: ExitCode.success) }

            let result = rounds.run(round: nextRound)
            completed += 1
            nextRound += 1
            if let transient = result.transient {
                throttle.detected(transient)
            } else if case .ran(let exit) = result.kind, exit.ok {
                throttle.succeeded()
            }
            let delay: Double
            switch result.kind {
            case .batteryFailed(let failures):
                if failures.contains(where: \.permanent) {
                    let broken = ConfigBroken(permanentFailures: failures)
                    events.emit(broken)
                    stderr.write("agent-runner: config_broken: \(broken.reason); fix it, then 'agent-runner start'\n")
                    return finish(events, reason: "config_broken", rounds: completed, code: ExitCode.config)
                }
                // The environment is not usable (disk full, log dir unwritable): retry with an
                // escalating delay (capped at 5 minutes) until it recovers, without counting a round.
                completed -= 1
                nextRound -= 1
                environmentStreak += 1
                delay = min(config.runtime.restartDelayS * Double(1 << min(environmentStreak, 20)), 300)
            case .ran(let exit):
                environmentStreak = 0
                let outcome = RoundOutcome(exitCode: exit.exitCode, durationS: exit.durationS,
                                           killedBySupervisor: exit.timedOut || exit.graceKilled, throttled: result.transient != nil)
                switch policy.record(outcome) {
                case .restart(let seconds):
                    delay = seconds
                case .crashLoop(let consecutive, let code):
                    let tail = String(decoding: Directories.tail(of: result.logPath, bytes: 4000), as: UTF8.self)
                    let reason = String(SecretRedactor.redact(tail).suffix(2000))
                    events.emit(CrashLoop(consecutive: consecutive, exitCode: code, reason: reason))
                    stderr.write("agent-runner: crash_loop: \(consecutive) consecutive short crashes (last exit \(code)); read \(result.logPath), fix the cause, then 'agent-runner start'\n")
                    return finish(events, reason: "crash_loop", rounds: completed, code: ExitCode.crashLoop)
                }
            case .spawnFailed:
                switch policy.record(RoundOutcome(exitCode: 127, durationS: 0)) {
                case .restart(let seconds): delay = seconds
                case .crashLoop(let consecutive, let code):
                    events.emit(CrashLoop(consecutive: consecutive, exitCode: code, reason: "the agent could not be started"))
                    return finish(events, reason: "crash_loop", rounds: completed, code: ExitCode.crashLoop)
                }
            }
            if options.once || stop.isRequested {
                return finish(events, reason: stop.isRequested ? "signal" : "once", rounds: completed, code: ExitCode.success)
            }
            switch sleep(seconds: delay) {
            case .completed: break
            case .stopRequested: return finish(events, reason: "signal", rounds: completed, code: ExitCode.success)
            case .stopFile: return stopFileDetected(events, rounds: completed)
            }
        }
    }

    private func finish(_ events: EventSink, reason: String, rounds: Int, code: Int32) -> Int32 {
        events.emit(ServeStopped(reason: reason, roundsCompleted: rounds, exitCode: code))
        return code
    }

    /// An agent left running by a serve that died without reaping it (kill -9, OOM) would run
    /// beside the next round's agent on the same work tree: kill its whole group first.
    private func killStaleAgent(events: EventSink) {
        let pidFile = PidFile(path: logDir + "/agent.pid")
        defer { try? pidFile.remove() }
        guard let pid = try? pidFile.runningPID(), pid > 1 else { return }
        let members = Set(ProcessTree.processGroupMembers(pid) + ProcessTree.descendants(of: pid) + [pid])
        for member in members { kill(member, SIGTERM) }
        kill(-pid, SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while clock.now < deadline && members.contains(where: { ProcessTree.isAlive($0) }) { usleep(100_000) }
        for member in members where ProcessTree.isAlive(member) { kill(member, SIGKILL) }
        kill(-pid, SIGKILL)
        events.emit(StaleAgentKilled(pid: pid, processes: members.count))
        stderr.write("agent-runner: killed an agent (pid \(pid)) left running by a previous serve\n")
    }

    // MARK: Stop triggers

    /// The sentinel's content (first 200 characters), or nil when the agent has not written it.
    private func sentinelReason() -> String? {
        guard Directories.exists(sentinelPath) else { return nil }
        let bytes = (try? LocalFileSystem().readFile(sentinelPath, limit: 1 << 20)) ?? []
        return String(String(decoding: bytes, as: UTF8.self).prefix(200))
    }

    private func stopFileExists() -> Bool {
        config.runtime.stopFile.map(Directories.exists) ?? false
    }

    private func stopFileDetected(_ events: EventSink, rounds: Int) -> Int32 {
        let path = config.runtime.stopFile ?? ""
        let content = (try? LocalFileSystem().readFile(path, limit: 1 << 20)).map { String(String(decoding: $0, as: UTF8.self).prefix(200)) } ?? ""
        events.emit(StopFileDetected(stopFile: path, content: content, roundsCompleted: rounds))
        return finish(events, reason: "stop_file_detected", rounds: rounds, code: ExitCode.success)
    }

    enum SleepOutcome { case completed, stopRequested, stopFile }

    /// Sleeps on the monotonic clock in short ticks, waking for a signal or the stop file.
    func sleep(seconds: Double) -> SleepOutcome {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64(seconds * 1000))
        while clock.now < deadline {
            if stop.isRequested { return .stopRequested }
            if stopFileExists() { return .stopFile }
            let left = deadline - clock.now
            let tick = min(left, .milliseconds(200))
            let micros = tick.components.seconds * 1_000_000 + tick.components.attoseconds / 1_000_000_000_000
            if micros > 0 { usleep(UInt32(micros)) }
        }
        return .completed
    }

    // MARK: Throttle gate

    enum GateOutcome { case proceed, stopRequested, stopFile, selfTerminated }

    /// Waits out a provider throttle recorded in the event log (so the state survives a restart),
    /// or stops, or ignores it, as `transient_error_action` says.
    private func throttleGate(events: EventSink, throttle: inout ThrottleTracker) -> GateOutcome {
        let agentName = config.agent.binary
        guard let error = throttle.active else { return .proceed }
        let now = clock.now().seconds
        let jitterMax = Int64(config.runtime.backoffJitterS)
        let plan = BackoffPlanner.plan(for: error, priorDetections: throttle.priorDetections, now: now,
                                       jitterS: jitter(min(BackoffPlanner.jitterRangeS.lowerBound, jitterMax)...jitterMax))
        switch config.runtime.transientErrorAction {
        case .skip:
            return .proceed
        case .stop:
            events.emit(AgentSelfTerminated(reason: "transient_error"))
            return .selfTerminated
        case .backOff:
            if let capped = plan.capped {
                events.emit(TransientErrorBackoffCapped(classification: error.classification, agent: agentName, capped: capped,
                                                        appliedResetEpoch: plan.appliedResetEpoch))
            }
            let started = ContinuousClock.now
            switch sleep(seconds: Double(plan.sleepS)) {
            case .stopRequested: return .stopRequested
            case .stopFile: return .stopFile
            case .completed: break
            }
            let slept = ContinuousClock.now - started
            events.emit(TransientErrorRecovered(classification: error.classification, agent: agentName,
                                                throttledForS: slept.components.seconds))
            throttle.recovered()
            return .proceed
        }
    }
}
