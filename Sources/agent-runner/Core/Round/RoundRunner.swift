#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
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
    public var kind: Kind
    /// The provider throttled the agent (a transient error was classified).
    public var transient: TransientError?
    public var logPath: String
}

/// Layer 1: runs one round from startup battery to post-round analysis, emitting the events of
/// the original's per-round order (events.md §2), so dashboards and fleetctl read our logs and
/// the original's alike.
public final class RoundRunner: @unchecked Sendable {
    let config: AgentRunnerConfig
    let events: EventSink
    let runner: any ProcessRunner
    let git: GitWorkTree
    let environment: [String: String]
    let clock: any WallClock
    let stderr: any TextOutput
    let logs: RoundLogs
    let metrics: MetricsLog
    /// The digest of the previous round_start (outer nil: not looked up yet), kept in memory so
    /// a round never rescans the event log for it.
    private var lastDigest: String??
    /// The failures of the previous battery run, to report each change once.
    private var lastBatteryFailures: [StartupBattery.Failure] = []

    public init(config: AgentRunnerConfig, events: EventSink, runner: any ProcessRunner, environment: [String: String],
                clock: any WallClock, stderr: any TextOutput) {
        self.config = config
        self.events = events
        self.runner = runner
        self.environment = environment
        self.clock = clock
        self.stderr = stderr
        let promptFiles = config.prompt.files + config.phases.overrides.values.flatMap { $0.promptFiles ?? [] }
        git = GitWorkTree(workDir: config.runtime.workDir, logDir: config.runtime.logDir, configPath: config.configPath,
                          promptFiles: promptFiles.sorted(), runner: runner, environment: environment)
        logs = RoundLogs(logDir: config.runtime.logDir)
        metrics = MetricsLog(logDir: config.runtime.logDir, agentBinary: config.agent.binary, clock: clock)
    }

    /// The next round number: one past the highest of status.json and the round logs, so a
    /// restarted (or kill -9'd) serve continues the numbering.
    public func nextRoundNumber() -> Int {
        var highest = logs.highestRound()
        if case .status(let status) = StatusFile(logDir: config.runtime.logDir).read() {
            highest = max(highest, status.roundNum)
        }
        return highest + 1
    }

    public func run(round: Int) -> RoundResult {
        let phase = config.phases.phase(forRound: round)
        let logPath = logs.path(forRound: round)
        let probe = git.probe()
        let failures = StartupBattery(config: config, environment: environment).run(phase: phase, isGitWorkTree: probe.isWorkTree)
        if !failures.isEmpty {
            // Report a failing battery once per change, not once per retry: a full disk retried
            // every few seconds must not flood the journal.
            if failures != lastBatteryFailures {
                for failure in failures {
                    stderr.write(failure.line + "\n")
                    events.emit(.smokeCheckFailed, ["reason": .string("\(failure.check): \(failure.reason)")])
                }
            }
            lastBatteryFailures = failures
            return RoundResult(round: round, phase: phase, kind: .batteryFailed(failures), transient: nil, logPath: logPath)
        }
        if !lastBatteryFailures.isEmpty {
            stderr.write("agent-runner: startup checks pass again (\(lastBatteryFailures.map(\.check).joined(separator: ", ")) recovered)\n")
            lastBatteryFailures = []
        }
        let statusFile = StatusFile(logDir: config.runtime.logDir)
        let previousStatus: RoundStatus?
        switch statusFile.read() {
        case .status(let status): previousStatus = status
        case .unreadable:
            previousStatus = nil
            events.emit(.statusRecovered, ["reason": "status.json could not be parsed"])
        case .missing: previousStatus = nil
        }

        let agent = config.agent(forPhase: phase)
        let promptFiles = config.promptFiles(forPhase: phase)
        events.emit(.roundSubstrateBefore, JSONObject([("round_num", .int(Int64(round))), ("git_head", probe.head.map { .string($0) } ?? .null), ("paths_hash", .null)]))
        let digest = ConfigDigest.compute(config: config, promptFiles: promptFiles, agent: agent)
        if lastDigest == nil {
            lastDigest = .some((try? EventLogReader(directory: config.runtime.logDir).lastEvent(ofKinds: ["round_start"]))??.payload["config_digest"]?.stringValue)
        }
        let previousDigest = lastDigest ?? nil
        lastDigest = .some(digest)
        var start = JSONObject([("round_num", .int(Int64(round))), ("phase", phase.map { .string($0) } ?? .null),
                                ("config_digest", .string(digest)), ("config_changed", .bool(previousDigest != nil && previousDigest != digest))])
        if previousDigest != nil && previousDigest != digest {
            start["config_prompt_files"] = .array(promptFiles.map { .string($0) })
            start["config_check_names"] = .array([])
            start["config_vcs_dirty_action"] = .string(config.vcs.dirtyAction.rawValue)
            start["config_prompt_delivery"] = .string(agent.promptDelivery.rawValue)
        }
        let startedAt = clock.now()
        events.emit(.roundStart, start)
        metrics.record(.roundStart, round: round, phase: phase)

        let context = roundContext(round: round, phase: phase, startedAt: startedAt, previous: previousStatus)
        try? AtomicFile.write(JSONWriter(style: .pretty(indent: 2)).string(context) + "\n", to: config.runtime.logDir + "/round-context.json", mode: 0o600)
        let freshEyes = config.runtime.freshEyesEveryN.map { round % $0 == 0 } ?? false
        if freshEyes, let every = config.runtime.freshEyesEveryN {
            events.emit(.freshEyesRoundTriggered, JSONObject([("round_num", .int(Int64(round))), ("every_n", .int(Int64(every)))]))
        }
        let hookEnvironment = hookEnv(round: round, phase: phase)
        if !config.preRoundHooksDisabled(forPhase: phase) {
            runPreRoundHooks(round: round, phase: phase, promptFiles: promptFiles, environment: hookEnvironment)
        }

        // Assemble (after pre-round hooks, which may rewrite the prompt).
        let assembler = PromptAssembler(separator: config.prompt.concatSeparator, stripYAMLFrontmatter: config.prompt.stripYAMLFrontmatter)
        var prompt = ""
        if !promptFiles.isEmpty {
            do {
                prompt = try assembler.body(files: promptFiles) { try? LocalFileSystem().readFile($0) }.text
            } catch {
                let failure = StartupBattery.Failure(check: "prompt_file_exists", reason: error.description, howToFix: "restore the prompt file", permanent: true)
                stderr.write(failure.line + "\n")
                events.emit(.smokeCheckFailed, ["reason": .string("\(failure.check): \(failure.reason)")])
                return RoundResult(round: round, phase: phase, kind: .batteryFailed([failure]), transient: nil, logPath: logPath)
            }
            if config.prompt.injectContext && config.prompt.contextInjectionMode == .prepend {
                prompt = PromptAssembler.prependContext(context, to: prompt)
            }
        }

        let timeout = config.roundTimeout(forPhase: phase)
        events.emit(.agentSpawn, JSONObject([("round_num", .int(Int64(round))), ("timeout_s", .int(Int64(timeout)))]))
        let launch = AgentLaunch.make(agent: agent, prompt: prompt, workDir: config.runtime.workDir, logDir: config.runtime.logDir,
                                      round: round, phase: phase, freshEyes: freshEyes, base: environment)
        let fd = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd >= 0 { close(fd) }
        logs.pointCurrent(at: round)
        let request = ProcessRequest(
            launch.argv[0], arguments: Array(launch.argv.dropFirst()), environment: launch.environment,
            workingDirectory: config.runtime.workDir, standardInput: launch.standardInput.map { .bytes($0) } ?? .null,
            standardOutput: .appendToFile(logPath), standardError: .mergeIntoStandardOutput, grouping: .newProcessGroup)
        let process: RunningProcess
        do {
            process = try runner.spawn(request)
        } catch {
            let message = "cannot start the agent: \(error)"
            stderr.write("agent-runner: \(message)\n")
            appendToLog(logPath, "agent-runner: \(message)\n")
            let exit = AgentExit(status: .terminated(127), durationS: 0, timedOut: false, graceKilled: false, graceExtended: false)
            finishRound(round: round, phase: phase, exit: exit, logPath: logPath, startedAt: startedAt, hookEnvironment: hookEnvironment, agent: agent)
            return RoundResult(round: round, phase: phase, kind: .spawnFailed(message), transient: nil, logPath: logPath)
        }
        let agentPid = PidFile(path: config.runtime.logDir + "/agent.pid")
        try? agentPid.write(pid: process.pid)
        defer { try? agentPid.remove() }
        let watch = AgentWatch(
            process: process, logPath: logPath, timeoutS: timeout, killGrace: .seconds(agent.sigtermGraceS),
            terminalMarker: Array(agent.terminalMarker.utf8), maxGraceAfterResultS: config.runtime.maxGraceAfterResultS,
            ignorePatterns: config.runtime.graceKillIgnorePatterns, progressIntervalS: config.monitor.roundProgressIntervalS,
            emit: { [events] kind, payload in events.emit(kind, payload) }, round: round)
        let exit = watch.run()
        let transient = finishRound(round: round, phase: phase, exit: exit, logPath: logPath, startedAt: startedAt, hookEnvironment: hookEnvironment, agent: agent)
        return RoundResult(round: round, phase: phase, kind: .ran(exit), transient: transient, logPath: logPath)
    }

    /// Everything after the agent exited: exit event, classification, dirty tree, status,
    /// round_end, post-round analysis and hooks. Returns the classified transient error.
    @discardableResult
    private func finishRound(round: Int, phase: String?, exit: AgentExit, logPath: String, startedAt: UTCInstant,
                             hookEnvironment: [String: String], agent: AgentRunnerConfig.Agent) -> TransientError? {
        let roundNum = JSONValue.int(Int64(round))
        events.emit(.agentExit, JSONObject([
            ("round_num", roundNum), ("exit_code", .int(Int64(exit.exitCode))), ("duration_s", .double(exit.durationS)),
            ("timed_out", .bool(exit.timedOut)), ("exit_cause", .string(exit.exitCause)),
        ]))
        let tailText = String(decoding: Directories.tail(of: logPath, bytes: 256 << 10), as: UTF8.self)
        if !exit.ok && !exit.signalDeath, let matched = LogPatterns.firstMatch(of: LogPatterns.network, in: tailText) {
            events.emit(.agentNetworkBlip, JSONObject([
                ("round_num", roundNum), ("phase", phase.map { .string($0) } ?? .null), ("matched", .string(matched)),
                ("round_duration_s", .double(exit.durationS)), ("exit_code", .int(Int64(exit.exitCode))), ("timed_out", .bool(exit.timedOut)),
            ]))
        }
        let headAfter = handleDirtyTree(round: round, phase: phase, exit: exit)
        if exit.graceKilled {
            events.emit(.roundGraceKill, JSONObject([("round_num", roundNum), ("grace_s", .int(Int64(config.runtime.maxGraceAfterResultS))), ("live_children", .array([]))]))
        } else if exit.timedOut {
            events.emit(.roundTimeoutKill, JSONObject([("round_num", roundNum), ("reason", .string("exceeded round_timeout_s=\(config.roundTimeout(forPhase: phase))"))]))
        }
        let endedAt = clock.now()
        var status = RoundStatus(roundNum: round, running: false, lastCompletedAt: EventTimestamp.format(endedAt),
                                 lastExitCode: Int(exit.exitCode), lastDurationS: exit.durationS, currentPhase: phase,
                                 phaseIndex: phase.flatMap { config.phases.list.firstIndex(of: $0) })
        // The original writes phase_index 0 without phases too; peek consumers expect the key.
        if status.phaseIndex == nil { status.phaseIndex = 0 }
        do {
            try StatusFile(logDir: config.runtime.logDir).write(status)
        } catch {
            stderr.write("agent-runner: cannot write status.json: \(error)\n")
        }
        metrics.record(.roundEnd, round: round, phase: phase)
        events.emit(.roundEnd, ["round_num": roundNum])

        // Post-round analysis of the transcript (the original's claude plugin).
        let lines = tailText.split(separator: "\n", omittingEmptySubsequences: false)
        let analysis = ClaudeStreamClassifier().analyze(lines: lines, now: clock.now().seconds)
        let agentName = agent.binary
        if let transient = analysis.transient {
            events.emit(.transientErrorDetected, JSONObject([
                ("classification", .string(transient.classification.rawValue)), ("agent", .string(agentName)),
                ("reset_at_epoch", .int(transient.resetAtEpoch)), ("round_num", roundNum), ("raw", .string(transient.raw)),
                ("phase", .string(phase ?? "")),
            ]))
        }
        if let usage = analysis.usage {
            events.emit(.agentUsageRecorded, JSONObject([
                ("agent", .string(agentName)), ("model", .string(usage.model)), ("round_num", roundNum),
                ("input_tokens", .int(usage.inputTokens)), ("output_tokens", .int(usage.outputTokens)),
                ("cached_tokens", .int(usage.cachedTokens)), ("cost_usd", usage.costUSD.map { .double($0) } ?? .null),
                ("duration_ms", .int(usage.durationMS)), ("models_breakdown", .null),
                ("cache_creation_tokens", .int(usage.cacheCreationTokens)), ("tool_call_count", .int(Int64(usage.toolCallCount))),
                ("phase", .string(phase ?? "")), ("success", .bool(exit.ok)),
            ]))
        }
        if let hit = RepetitiveTools.firstHit(analysis.toolCalls, window: config.monitor.anomalyRepetitiveWindow, threshold: config.monitor.anomalyRepetitiveThreshold) {
            events.emit(.anomalyRepetitiveTool, JSONObject([
                ("round_num", roundNum), ("tool_name", .string(hit.call.name)), ("target", hit.call.target.map { .string($0) } ?? .null),
                ("count", .int(Int64(hit.count))), ("window", .int(Int64(config.monitor.anomalyRepetitiveWindow))),
            ]))
        }
        if let authText = authFailure(exit: exit, analysis: analysis, text: tailText) {
            events.emit(.agentAuthErrorDetected, JSONObject([("round_num", roundNum), ("agent", .string(agentName)), ("raw", .string(authText))]))
        }
        for hook in config.hooks.postRound where !config.plugins.disable.contains(hook.name) {
            let outcome = HookRunner(runner: runner, workDir: config.runtime.workDir).run(hook, environment: hookEnvironment.merging(
                ["AGENT_RUNNER_EXIT_CODE": String(exit.exitCode), "AGENT_RUNNER_ROUND_LOG": logPath]) { _, new in new })
            if !outcome.succeeded {
                events.emit(.hookFailed, JSONObject([
                    ("hook_name", .string(hook.name)), ("hook_kind", "post_round"),
                    ("error_type", .string(outcome.timedOut ? "timeout" : outcome.exit.description)),
                    ("error_message", .string(outcome.outputTail)), ("traceback", ""),
                ]))
            }
        }
        events.emit(.roundSubstrateAfter, JSONObject([("round_num", roundNum), ("git_head", headAfter.map { .string($0) } ?? .null), ("paths_hash", .null)]))
        return analysis.transient
    }

    /// An auth failure the agent reported: a 401 result, or a short failed round whose output
    /// matches `[monitor] auth_fail_patterns`. Returned redacted.
    private func authFailure(exit: AgentExit, analysis: TranscriptAnalysis, text: String) -> String? {
        if let reported = analysis.authFailure { return reported }
        guard exit.exitCode != 0, !exit.timedOut, exit.durationS < 60 else { return nil }
        for pattern in config.monitor.authFailPatterns {
            if let match = LogPatterns.firstMatch(of: pattern, in: String(text.suffix(16 << 10))) {
                let line = text.split(separator: "\n").last { $0.contains(match) }.map(String.init) ?? match
                return String(SecretRedactor.redact(String(line.prefix(400))).prefix(200))
            }
        }
        return nil
    }

    /// Detects and handles uncommitted work; returns HEAD after it (for round_substrate_after).
    private func handleDirtyTree(round: Int, phase: String?, exit: AgentExit) -> String? {
        let roundNum = JSONValue.int(Int64(round))
        let files: [String]
        var head: String?
        do {
            (files, head) = try git.status()
        } catch {
            events.emit(.dirtyCheckFailed, JSONObject([("round_num", roundNum), ("reason", .string(String(error.description.prefix(200))))]))
            return git.probe().head
        }
        let orphanPath = OrphanState.path(logDir: config.runtime.logDir)
        guard !files.isEmpty else {
            unlink(orphanPath)
            return head
        }
        events.emit(.dirtyDetected, JSONObject([("round_num", roundNum), ("files", .array(files.prefix(20).map { .string($0) }))]))
        guard exit.ok || exit.graceKilled else { return head }
        switch config.vcs.dirtyAction {
        case .ignore:
            break
        case .stash:
            let nowSeconds = clock.now().seconds
            let label = "ORPHAN R\(round)"
            if let top = git.topStash(), top.subject.contains(label + " ") || top.subject.hasSuffix(label),
               nowSeconds - top.epoch <= Int64(config.vcs.stashIdempotencyS) {
                events.emit(.orphanIdempotentSkip, JSONObject([("round_num", roundNum), ("ref", .string(top.sha)), ("reason", "clean_exit_with_dirty_tree")]))
                break
            }
            let timestamp = EventTimestamp.format(clock.now())
            let message = "\(label)\(phase.map { " phase=\($0)" } ?? "") ts=\(timestamp.prefix(19))"
            do {
                let sha = try git.stash(message: message)
                let state = OrphanState(roundNum: round, files: Array(files.prefix(200)), stashedRef: sha, stashMessage: message, timestamp: timestamp, phase: phase)
                try? AtomicFile.write(JSONWriter(style: .pretty(indent: 2)).string(state.json) + "\n", to: orphanPath, mode: 0o600)
                events.emit(.orphanStashed, JSONObject([("round_num", roundNum), ("ref", .string(sha)), ("reason", "clean_exit_with_dirty_tree")]))
            } catch {
                events.emit(.orphanStashFailed, JSONObject([("round_num", roundNum), ("phase", phase.map { .string($0) } ?? .null), ("reason", .string(String(error.description.prefix(200))))]))
            }
        case .autoCommit:
            do {
                let sha = try git.commitAll(message: "agent-runner auto-commit: R\(round)\(phase.map { " \($0)" } ?? "")")
                head = sha
                events.emit(.dirtyAutoCommitted, JSONObject([("round_num", roundNum), ("files", .array(files.prefix(20).map { .string($0) })), ("ref", .string(sha))]))
            } catch {
                events.emit(.dirtyCommitFailed, JSONObject([("round_num", roundNum), ("phase", phase.map { .string($0) } ?? .null), ("reason", .string(String(error.description.prefix(200))))]))
            }
        }
        return head
    }

    private func runPreRoundHooks(round: Int, phase: String?, promptFiles: [String], environment: [String: String]) {
        let hooks = HookRunner(runner: runner, workDir: config.runtime.workDir)
        for hook in config.hooks.preRound where !config.plugins.disable.contains(hook.name) {
            let before = promptFiles.map { path in (try? LocalFileSystem().readFile(path)).map { SHA256.hex(of: $0) } }
            let outcome = hooks.run(hook, environment: environment)
            if !outcome.succeeded {
                events.emit(.hookFailed, JSONObject([
                    ("hook_name", .string(hook.name)), ("hook_kind", "pre_round"),
                    ("error_type", .string(outcome.timedOut ? "timeout" : outcome.exit.description)),
                    ("error_message", .string(outcome.outputTail)), ("traceback", ""),
                ]))
            }
            for (index, path) in promptFiles.enumerated() {
                let after = (try? LocalFileSystem().readFile(path)).map { SHA256.hex(of: $0) }
                if after != before[index] {
                    events.emit(.promptOverwritten, JSONObject([
                        ("round_num", .int(Int64(round))), ("phase", phase.map { .string($0) } ?? .null), ("hook", .string(hook.name)),
                        ("prompt_path", .string(path)), ("old_hash", before[index].map { .string("sha256:" + $0) } ?? .null),
                        ("new_hash", after.map { .string("sha256:" + $0) } ?? .null),
                    ]))
                }
            }
        }
    }

    /// The environment hooks see: the supervisor's plus the round's identity.
    func hookEnv(round: Int, phase: String?) -> [String: String] {
        var env = environment
        env["AGENT_RUNNER_LOG_DIR"] = config.runtime.logDir
        env["AGENT_RUNNER_ROUND_NUM"] = String(round)
        env["AGENT_RUNNER_PHASE"] = phase ?? ""
        env["AGENT_RUNNER_WORK_DIR"] = config.runtime.workDir
        env["AGENT_RUNNER_CONFIG"] = config.configPath
        return env
    }

    /// The round-context block: this round's identity, the orphan stash left by an earlier round
    /// and how the previous round ended.
    private func roundContext(round: Int, phase: String?, startedAt: UTCInstant, previous: RoundStatus?) -> JSONValue {
        var context = JSONObject()
        context["round_num"] = .int(Int64(round))
        context["started_at"] = .string(EventTimestamp.format(startedAt))
        if let phase { context["phase"] = .string(phase) }
        let orphan = OrphanState.read(logDir: config.runtime.logDir)
        if let orphan {
            context["orphan_stash"] = .object(JSONObject([("ref", .string(orphan.stashedRef)), ("message", .string(orphan.stashMessage)),
                                                          ("files", .array(orphan.files.map { .string($0) }))]))
        }
        if let previous {
            context["previous"] = .object(JSONObject([
                ("exit_code", previous.lastExitCode.map { .int(Int64($0)) } ?? .null),
                ("duration_s", previous.lastDurationS.map { .double($0) } ?? .null),
                ("ended_at", previous.lastCompletedAt.map { .string($0) } ?? .null),
                ("had_dirty_tree", .bool(orphan != nil)),
            ]))
        }
        return .object(context)
    }

    private func appendToLog(_ path: String, _ text: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
    }
}

/// The repetitive-tool anomaly: the same (tool, target) called at least `threshold` times within
/// a sliding window of `window` calls — an agent stuck re-running the same failing command.
public enum RepetitiveTools {
    public static func firstHit(_ calls: [ToolCall], window: Int, threshold: Int) -> (call: ToolCall, count: Int)? {
        guard window > 0, threshold > 0, !calls.isEmpty else { return nil }
        let recent = Array(calls.suffix(window * 4))
        for end in 0..<recent.count {
            let slice = recent[max(0, end - window + 1)...end]
            let call = recent[end]
            let count = slice.filter { $0 == call }.count
            if count >= threshold { return (call, count) }
        }
        return nil
    }
}
