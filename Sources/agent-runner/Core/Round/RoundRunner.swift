import Detectors
import FleetCore

/// What one round did, for serve's restart policy and stop triggers.
public struct RoundResult: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The agent ran.
        case ran(AgentExit)
        /// The startup battery failed; the agent did not run.
        case batteryFailed([StartupBattery.Failure])
        /// The agent could not be started (spawn failed).
        case spawnFailed(String)
    }

    public var round: Int
    public var phase: String?
    /// The agent the round ran, as its events and throttle name it (``AgentIdentity/name``).
    public var agent: String
    public var kind: Kind
    /// What the agent's classifier read in the transcript (empty when the agent did not run).
    public var analysis = TranscriptAnalysis()
    public var logPath: String

    /// The provider throttled the agent (a transient error was classified).
    public var transient: TransientError? { analysis.transient }
}

/// A startup check that failed when the round was already under way (the prompt vanished
/// between the battery and the spawn).
extension StartupBattery.Failure: Error {}

/// Layer 1: runs one round from startup battery to post-round analysis, emitting the events of
/// the original's per-round order (events.md §2), so dashboards and fleetctl read our logs and
/// the original's alike. Every effect (clocks, spawning, files) comes from ``Effects``.
public final class RoundRunner {
    let config: AgentRunnerConfig
    let events: EventSink
    let effects: Effects
    let git: GitWorkTree
    let environment: [String: String]
    let stderr: any TextOutput
    let logs: RoundLogs
    let metrics: MetricsLog
    let hooks: RoundHooks
    /// Serve's memory floor around the agent (nil for `agent-runner round`).
    var memory: (any RoundMemoryObserver)?
    /// The digest of the previous round_start (outer nil: not looked up yet), kept in memory so
    /// a round never rescans the event log for it.
    private var lastDigest: String??
    /// The failures of the previous battery run, to report each change once.
    private var lastBatteryFailures: [StartupBattery.Failure] = []
    /// The last retention pass was deferred by the bulk guard (reported once, not every round).
    var retentionDeferred = false
    /// The month whose monthly logs were last pruned (they age once a month, not once a round).
    var prunedMonth: Int?

    public init(
        config: AgentRunnerConfig, events: EventSink, effects: Effects, environment: [String: String],
        stderr: any TextOutput
    ) {
        self.config = config
        self.events = events
        self.effects = effects
        self.environment = environment
        self.stderr = stderr
        let promptFiles = config.prompt.files + config.phases.overrides.values.flatMap { $0.promptFiles ?? [] }
        git = GitWorkTree(
            workDir: config.runtime.workDir, logDir: config.runtime.logDir, configPath: config.configPath,
            promptFiles: promptFiles.sorted(), effects: effects, environment: environment)
        logs = RoundLogs(logDir: config.runtime.logDir)
        metrics = MetricsLog(logDir: config.runtime.logDir, agentBinary: config.agent.binary, clock: effects.wallClock)
        hooks = RoundHooks(
            config: config, runner: HookRunner(effects: effects, workDir: config.runtime.workDir),
            events: events, fileSystem: effects.fileSystem, baseEnvironment: environment)
    }

    var fileSystem: any FileSystem { effects.fileSystem }
    var logDir: String { config.runtime.logDir }
    var substrate: SubstrateFingerprint {
        SubstrateFingerprint(workDir: config.runtime.workDir, patterns: config.runtime.substrateFingerprintPaths)
    }

    /// The next round number: one past the highest of status.json, the round logs and the event
    /// log's newest `round_start`, so a restarted (or kill -9'd) serve continues the numbering.
    /// The event comes first in a round, before its transcript and status: a serve killed
    /// between them left a `round_start` that only the event log remembers.
    public func nextRoundNumber() -> Int {
        var highest = logs.highestRound()
        if case .status(let status) = StatusFile(logDir: logDir, fileSystem: fileSystem).read() {
            highest = max(highest, status.roundNum)
        }
        let started = newestRoundStart()
        if let number = started?.payload["round_num"]?.intValue {
            highest = max(highest, Int(number))
        }
        if lastDigest == nil {
            // The first round compares its config with this one: no second read of the log.
            lastDigest = .some(started?.payload["config_digest"]?.stringValue)
        }
        return highest + 1
    }

    /// The event log's newest `round_start`, read backward from the end (nil when none).
    private func newestRoundStart() -> Event? {
        try? EventLogReader(directory: logDir).lastEvent(ofKinds: [RoundStart.kind.rawValue])
    }

    /// Runs round `round`: startup checks, start, spawn, watch, finish. `phase` is the one serve
    /// chose (phase-aware schedules) or `round --phase`; nil follows the rotation.
    public func run(round: Int, phase chosen: String? = nil) -> RoundResult {
        let phase = chosen ?? config.phases.phase(forRound: round)
        let agent = AgentIdentity(config.agent(forPhase: phase)).name
        let logPath = logs.newTranscriptPath(forRound: round, startedAt: effects.wallClock.now())
        let probe = git.probe()
        if let failures = failedStartupChecks(phase: phase, isGitWorkTree: probe.isWorkTree) {
            return RoundResult(
                round: round, phase: phase, agent: agent, kind: .batteryFailed(failures),
                logPath: logPath)
        }
        pruneLogs()
        let setup = start(round: round, phase: phase, head: probe.head, logPath: logPath)
        let prompt: String
        do {
            prompt = try assemblePrompt(setup)
        } catch {
            return RoundResult(
                round: round, phase: phase, agent: agent, kind: .batteryFailed([error]),
                logPath: logPath)
        }
        switch spawnAgent(setup, prompt: prompt) {
        case .success(let process):
            let exit = watch(process, setup)
            let analysis = finish(setup, exit: exit)
            return RoundResult(
                round: round, phase: phase, agent: agent, kind: .ran(exit), analysis: analysis,
                logPath: logPath)
        case .failure(let failure):
            let exit = AgentExit(
                status: .terminated(127), durationS: 0, timedOut: false, graceKilled: false,
                graceExtended: false)
            finish(setup, exit: exit)
            return RoundResult(
                round: round, phase: phase, agent: agent, kind: .spawnFailed(failure.message),
                logPath: logPath)
        }
    }

    /// The startup battery's failures, or nil when it passes. A failing battery is reported once
    /// per change, not once per retry: a full disk retried every few seconds must not flood the
    /// journal.
    private func failedStartupChecks(phase: String?, isGitWorkTree: Bool) -> [StartupBattery.Failure]? {
        let battery = StartupBattery(config: config, environment: environment, fileSystem: fileSystem)
        let failures = battery.run(phase: phase, isGitWorkTree: isGitWorkTree)
        if failures.isEmpty {
            if !lastBatteryFailures.isEmpty {
                let recovered = lastBatteryFailures.map(\.check).joined(separator: ", ")
                stderr.write("agent-runner: startup checks pass again (\(recovered) recovered)\n")
                lastBatteryFailures = []
            }
            return nil
        }
        if failures != lastBatteryFailures {
            for failure in failures {
                stderr.write(failure.line + "\n")
                events.emit(SmokeCheckFailed(failure))
            }
        }
        lastBatteryFailures = failures
        return failures
    }

    /// `round_substrate_before`, `round_start`, the round-context block, fresh eyes and the
    /// pre-round hooks.
    private func start(round: Int, phase: String?, head: String?, logPath: String) -> RoundSetup {
        let previous = previousStatus()
        let agent = config.agent(forPhase: phase)
        let promptFiles = config.promptFiles(forPhase: phase)
        events.emit(RoundSubstrateBefore(roundNum: round, gitHead: head, pathsHash: substrate.hash()))
        let (digest, change) = configChange(promptFiles: promptFiles, agent: agent)
        let startedAt = effects.wallClock.now()
        events.emit(RoundStart(roundNum: round, phase: phase, configDigest: digest, change: change))
        metrics.record(.roundStart, round: round, phase: phase)

        let context = RoundContext.block(
            round: round, phase: phase, startedAt: startedAt, previous: previous,
            orphan: OrphanState.read(logDir: logDir, fileSystem: fileSystem))
        let contextText = JSONWriter(style: .pretty(indent: 2)).string(context) + "\n"
        try? fileSystem.writeAtomically(Array(contextText.utf8), to: logDir + "/round-context.json", mode: 0o600)
        let freshEyes = config.runtime.freshEyesEveryN.map { round % $0 == 0 } ?? false
        if freshEyes, let every = config.runtime.freshEyesEveryN {
            events.emit(FreshEyesRoundTriggered(roundNum: round, everyN: every))
        }
        let setup = RoundSetup(
            round: round, phase: phase, agent: agent, promptFiles: promptFiles, context: context, startedAt: startedAt,
            freshEyes: freshEyes, hookEnvironment: hooks.environment(round: round, phase: phase), logPath: logPath,
            timeoutS: config.roundTimeout(forPhase: phase))
        if !config.preRoundHooksDisabled(forPhase: phase) {
            hooks.runPreRound(round: round, phase: phase, promptFiles: promptFiles, environment: setup.hookEnvironment)
        }
        return setup
    }

    /// The previous round's status for the context block; `status_recovered` when it is unreadable.
    private func previousStatus() -> RoundStatus? {
        switch StatusFile(logDir: logDir, fileSystem: fileSystem).read() {
        case .status(let status):
            return status
        case .unreadable:
            events.emit(StatusRecovered(reason: "status.json could not be parsed"))
            return nil
        case .missing:
            return nil
        }
    }

    /// This round's config digest, and what changed when it differs from the previous round's.
    private func configChange(promptFiles: [String], agent: AgentRunnerConfig.Agent) -> (String, RoundStart.Change?) {
        let digest = ConfigDigest.compute(
            config: config, promptFiles: promptFiles, agent: agent,
            fileSystem: fileSystem)
        if lastDigest == nil {
            lastDigest = .some(newestRoundStart()?.payload["config_digest"]?.stringValue)
        }
        let previous = lastDigest ?? nil
        lastDigest = .some(digest)
        guard let previous, previous != digest else { return (digest, nil) }
        return (
            digest,
            RoundStart.Change(
                promptFiles: promptFiles, vcsDirtyAction: config.vcs.dirtyAction.rawValue,
                promptDelivery: agent.promptDelivery.rawValue)
        )
    }

    /// The prompt, assembled after the pre-round hooks (which may rewrite it).
    private func assemblePrompt(_ setup: RoundSetup) throws(StartupBattery.Failure) -> String {
        guard !setup.promptFiles.isEmpty else { return "" }
        let assembler = PromptAssembler(
            separator: config.prompt.concatSeparator,
            stripYAMLFrontmatter: config.prompt.stripYAMLFrontmatter)
        var prompt: String
        do {
            prompt = try assembler.body(files: setup.promptFiles) { try? fileSystem.readFile($0) }.text
        } catch {
            let failure = StartupBattery.Failure(
                check: "prompt_file_exists", reason: error.description,
                howToFix: "restore the prompt file", permanent: true)
            stderr.write(failure.line + "\n")
            events.emit(SmokeCheckFailed(failure))
            throw failure
        }
        if config.prompt.injectContext && config.prompt.contextInjectionMode == .prepend {
            prompt = PromptAssembler.prependContext(setup.context, to: prompt)
        }
        return prompt
    }

    /// Why the agent could not be started.
    struct SpawnFailure: Error {
        var message: String
    }

    /// `agent_spawn`, then the agent in its own process group, its output appended to a fresh
    /// `rounds/R<N>-<UTC start>.log` that `round-current.log` points at.
    private func spawnAgent(_ setup: RoundSetup, prompt: String) -> Result<RunningProcess, SpawnFailure> {
        events.emit(AgentSpawn(roundNum: setup.round, timeoutS: setup.timeoutS))
        let launch = AgentLaunch.make(
            agent: setup.agent, prompt: prompt, workDir: config.runtime.workDir, logDir: logDir, round: setup.round,
            phase: setup.phase, freshEyes: setup.freshEyes, base: environment)
        _ = fileSystem.createPrivateDirectory(logs.roundsDirectory)
        fileSystem.removeFile(setup.logPath)
        try? fileSystem.append([], to: setup.logPath)
        logs.pointCurrent(at: setup.logPath)
        memory?.roundWillSpawn(round: setup.round)
        let request = ProcessRequest(
            launch.argv[0], arguments: Array(launch.argv.dropFirst()), environment: launch.environment,
            workingDirectory: config.runtime.workDir, standardInput: launch.standardInput.map { .bytes($0) } ?? .null,
            standardOutput: .appendToFile(setup.logPath), standardError: .mergeIntoStandardOutput,
            grouping: .newProcessGroup)
        do {
            return .success(try effects.processes.spawn(request))
        } catch {
            let message = "cannot start the agent: \(error)"
            stderr.write("agent-runner: \(message)\n")
            try? fileSystem.append(Array("agent-runner: \(message)\n".utf8), to: setup.logPath)
            return .failure(SpawnFailure(message: message))
        }
    }

    /// Watches the agent to its end, with its pid in `agent.pid` meanwhile (so a serve that dies
    /// now does not leave it running unnoticed: the next serve kills it).
    private func watch(_ process: RunningProcess, _ setup: RoundSetup) -> AgentExit {
        let agentPid = PidFile(path: logDir + "/agent.pid")
        try? agentPid.write(pid: process.pid)
        defer { try? agentPid.remove() }
        memory?.agentStarted(round: setup.round, pid: process.pid)
        defer { memory?.agentReaped() }
        var watch = AgentWatch(
            process: process, logPath: setup.logPath, timeoutS: setup.timeoutS,
            killGrace: .seconds(setup.agent.sigtermGraceS), terminalMarker: Array(setup.agent.terminalMarker.utf8),
            maxGraceAfterResultS: config.runtime.maxGraceAfterResultS,
            ignorePatterns: config.runtime.graceKillIgnorePatterns,
            progressIntervalS: config.monitor.roundProgressIntervalS,
            clock: effects.clock, wallClock: effects.wallClock, emit: { [events] event in events.emit(event) },
            round: setup.round)
        watch.memory = memory
        return watch.run()
    }

    /// Everything after the agent exited: exit event, classification, dirty tree, status,
    /// round_end, post-round analysis and hooks. Returns what the agent's classifier read.
    @discardableResult
    private func finish(_ setup: RoundSetup, exit: AgentExit) -> TranscriptAnalysis {
        events.emit(AgentExited(roundNum: setup.round, exit: exit))
        let review = TranscriptReview(
            identity: AgentIdentity(setup.agent), monitor: config.monitor,
            wallClock: effects.wallClock, events: events)
        let transcript = TranscriptReview.Transcript(
            bytes: fileSystem.tail(of: setup.logPath, bytes: RoundTranscript.tailBytes))
        let analysis = review.analyze(transcript, exit: exit)
        review.reportNetworkBlip(analysis, transcript, round: setup.round, phase: setup.phase, exit: exit)
        let dirtyTree = DirtyTreeHandler(
            git: git, vcs: config.vcs, logDir: logDir, fileSystem: fileSystem,
            wallClock: effects.wallClock, events: events)
        let headAfter = dirtyTree.handle(round: setup.round, phase: setup.phase, exit: exit)
        if exit.graceKilled {
            events.emit(RoundGraceKill(roundNum: setup.round, graceS: config.runtime.maxGraceAfterResultS))
        } else if exit.timedOut {
            events.emit(RoundTimeoutKill(roundNum: setup.round, timeoutS: setup.timeoutS))
        }
        writeStatus(setup, exit: exit)
        metrics.record(.roundEnd, round: setup.round, phase: setup.phase)
        events.emit(RoundEnd(roundNum: setup.round))
        review.report(analysis, transcript, round: setup.round, phase: setup.phase, exit: exit)
        hooks.runPostRound(environment: setup.hookEnvironment, exit: exit, logPath: setup.logPath)
        events.emit(RoundSubstrateAfter(roundNum: setup.round, gitHead: headAfter, pathsHash: substrate.hash()))
        return analysis
    }

    /// status.json: how the round ended, for peek, the next round's context and numbering.
    private func writeStatus(_ setup: RoundSetup, exit: AgentExit) {
        let phase = setup.phase
        // The original writes phase_index 0 without phases too; peek consumers expect the key.
        let status = RoundStatus(
            roundNum: setup.round, running: false, lastCompletedAt: EventTimestamp.format(effects.wallClock.now()),
            lastExitCode: Int(exit.exitCode), lastDurationS: exit.durationS, currentPhase: phase,
            phaseIndex: phase.flatMap { config.phases.list.firstIndex(of: $0) } ?? 0)
        do {
            try StatusFile(logDir: logDir, fileSystem: fileSystem).write(status)
        } catch {
            stderr.write("agent-runner: cannot write status.json: \(error)\n")
        }
    }
}

/// What the start of a round fixed for the rest of it.
struct RoundSetup {
    var round: Int
    var phase: String?
    var agent: AgentRunnerConfig.Agent
    var promptFiles: [String]
    /// The round-context block (round-context.json).
    var context: JSONValue
    var startedAt: UTCInstant
    var freshEyes: Bool
    /// What hooks see (``RoundHooks/environment(round:phase:)``).
    var hookEnvironment: [String: String]
    var logPath: String
    var timeoutS: Int
}
