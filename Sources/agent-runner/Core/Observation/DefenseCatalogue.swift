import FleetCore

/// One defense the supervisor applies, as peek and status show it: what it is set to, which
/// incident it codifies, which test in this repository pins it, and whether it is in force.
public struct Defense: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        case active
        /// Configured in a way that weakens it.
        case degraded
        /// Switched off by the configuration.
        case off
    }

    public var name: String
    public var value: JSONValue
    public var codifies: String
    /// A test file of this repository (relative path) that fails if the defense breaks.
    public var guardedBy: String?
    public var currentState: State

    public var json: JSONValue {
        .object(
            JSONObject([
                ("name", .string(name)), ("value", value), ("codifies", .string(codifies)),
                ("guarded_by", guardedBy.map { .string($0) } ?? .null),
                ("current_state", .string(currentState.rawValue)),
            ]))
    }
}

/// The defenses of this agent-runner as data (peek-schema.md §3). Names follow the original's
/// catalogue where the defense is the same, so dashboards keyed on them keep working; the
/// original's defense we do not implement (stalled_no_progress) is not listed. The memory
/// defenses come from ``MemoryDefenses``, with the brake's state resolved for the running serve.
public enum DefenseCatalogue {
    static let serveTests = "Tests/EndToEndTests/ServeTests.swift"
    static let policyTests = "Tests/AgentRunnerCoreTests/PolicyTests.swift"

    public static func entries(for config: AgentRunnerConfig, brake: MemoryHighBrake.Status = .off) -> [Defense] {
        let stash = config.vcs.dirtyAction == .stash
        let envKeys = config.agent.env.map(\.name).sorted()
        let scheduled = config.schedules.global.isEnabled || !config.schedules.perPhase.isEmpty
        return [
            Defense(
                name: "round_budget_s", value: .int(Int64(config.runtime.roundTimeoutS)),
                codifies:
                    "R1128 — a round stuck in a polling loop ran for an hour; the hard wall kills the agent's whole process group",
                guardedBy: serveTests, currentState: .active),
            Defense(
                name: "process_group_isolation", value: "own process group per agent; setsid'd descendants reaped too",
                codifies: "#307 — descendants of a killed agent kept running and writing to the tree",
                guardedBy: serveTests, currentState: .active),
            Defense(
                name: "sigterm_reaper", value: "SIGTERM/SIGINT: serve finishes the round in flight, then exits 0",
                codifies: "R725 — SIGTERM during a round raced a second agent on the same tree",
                guardedBy: serveTests, currentState: .active),
            Defense(
                name: "orphan_stash_idempotency_s", value: .int(Int64(config.vcs.stashIdempotencyS)),
                codifies: "R820 — the same round stashed three phantom stashes within a second",
                guardedBy: serveTests, currentState: stash ? .active : .off),
            Defense(
                name: "sha_locked_stash", value: "stash recorded by SHA in orphan-state.json, never stash@{N}",
                codifies: "§9 — index-based stash references shift under concurrent stashes",
                guardedBy: serveTests, currentState: stash ? .active : .off),
            Defense(
                name: "critical_envs_injection", value: .array(envKeys.map { .string($0) }),
                codifies:
                    "[agent.env] injected into every round (e.g. DISABLE_AUTOUPDATER stops mid-loop self-updates)",
                guardedBy: serveTests, currentState: envKeys.isEmpty ? .off : .active),
            Defense(
                name: "startup_smoke_check",
                value:
                    "5 checks (log_dir_writable / work_dir_is_git_repo / prompt_file_exists / prompt_smoke_passes / agent_cli_in_path)",
                codifies:
                    "R721 — a broken prompt burned 123 rounds in 4 hours; now config_broken halts serve (exit 78)",
                guardedBy: serveTests, currentState: .active),
            Defense(
                name: "crash_loop_breaker", value: "stop after 5 consecutive short crashes; exp-escalating delay",
                codifies: "Run 6 — a crashing agent was respawned ~100 times at a fixed delay",
                guardedBy: policyTests, currentState: .active),
            Defense(
                name: "grace_kill_after_result_s", value: .int(Int64(config.runtime.maxGraceAfterResultS)),
                codifies: "an agent that printed its result but never exited held the round until the hard wall",
                guardedBy: serveTests, currentState: config.runtime.maxGraceAfterResultS > 0 ? .active : .off),
            Defense(
                name: "transient_error_backoff", value: .string(config.runtime.transientErrorAction.rawValue),
                codifies:
                    "provider rate limits and 5xx ride a back-off derived from the event log and never count as crashes",
                guardedBy: policyTests, currentState: config.runtime.transientErrorAction == .skip ? .degraded : .active
            ),
            Defense(
                name: "bulk_round_log_prune_guard", value: "a prune deleting more files than it keeps deletes nothing",
                codifies: "0.2.4 — a first prune would have deleted 12,193 of 12,293 transcripts",
                guardedBy: serveTests, currentState: config.runtime.roundLogRetention > 0 ? .active : .off),
            Defense(
                name: "flock_concurrency", value: "serve.lock",
                codifies: "Architectural — two supervisors on one project corrupt its state",
                guardedBy: serveTests, currentState: .active),
            Defense(
                name: "stale_agent_reaper",
                value: "agent.pid: an agent left by a killed serve is killed at the next boot",
                codifies: "kill -9 of serve left its agent running beside the next round's",
                guardedBy: serveTests, currentState: .active),
            Defense(
                name: "atomic_state_writes", value: "tmp + fsync + rename",
                codifies: "Data integrity — crashes never leave half-written state files",
                guardedBy: "Tests/FleetCoreTests/Files/AtomicFileTests.swift", currentState: .active),
            Defense(
                name: "event_kind_registry",
                value: .string("EventKind registry (\(EventKind.all.count) kinds; unknown names cannot be written)"),
                codifies: "event-name typos slipping past readers, alert rules and dashboards",
                guardedBy: "Tests/FleetCoreTests/EventLog/EventKindTests.swift", currentState: .active),
            Defense(
                name: "schedule_windows", value: .bool(scheduled),
                codifies: "0.2.7 — rounds only inside [schedule] run windows; serve refuses phases whose "
                    + "agents' windows overlap",
                guardedBy: "Tests/AgentRunnerCoreTests/Serve/ScheduleGateTests.swift",
                currentState: scheduled ? .active : .off),
        ] + MemoryDefenses.entries(MemoryDefenseSettings(config.monitor.hostHealth), brake: brake)
    }
}
