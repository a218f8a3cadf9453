/// The name of an event, restricted to the kinds the tools know how to emit.
///
/// Event kinds are a closed registry so a typo cannot silently create a new kind that no
/// reader, alert rule or dashboard knows about: `EventLogWriter.append` takes an `EventKind`,
/// the only public ways to get one are the constants below and the validating initialisers,
/// and both initialisers return nil for names that are not registered. To add a kind, add a
/// constant here and list it in `all`. Readers keep kinds as plain strings, since logs written
/// by other versions may contain kinds this build does not know.
public struct EventKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The name as written in the `event` field.
    public let rawValue: String

    private init(registered name: String) {
        rawValue = name
    }

    /// The registered kind named `rawValue`, or nil when no such kind is registered.
    public init?(rawValue: String) {
        guard Self.registeredNames.contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// The registered kind named `name`, or nil for an unknown name (e.g. from a config file or CLI flag).
    public init?(validating name: String) {
        self.init(rawValue: name)
    }

    public var description: String { rawValue }

    // One constant per registered kind: the lowerCamelCase form of the wire name.

    /// The `agent_auth_error_detected` event.
    public static let agentAuthErrorDetected = EventKind(registered: "agent_auth_error_detected")
    /// The `agent_exit` event.
    public static let agentExit = EventKind(registered: "agent_exit")
    /// The `agent_network_blip` event.
    public static let agentNetworkBlip = EventKind(registered: "agent_network_blip")
    /// The `agent_self_terminated` event.
    public static let agentSelfTerminated = EventKind(registered: "agent_self_terminated")
    /// The `agent_spawn` event.
    public static let agentSpawn = EventKind(registered: "agent_spawn")
    /// The `agent_usage_recorded` event.
    public static let agentUsageRecorded = EventKind(registered: "agent_usage_recorded")
    /// The `anomaly_repetitive_tool` event.
    public static let anomalyRepetitiveTool = EventKind(registered: "anomaly_repetitive_tool")
    /// The `cgroup_growth_rate_warning` event.
    public static let cgroupGrowthRateWarning = EventKind(registered: "cgroup_growth_rate_warning")
    /// The `config_broken` event.
    public static let configBroken = EventKind(registered: "config_broken")
    /// The `config_migrated` event.
    public static let configMigrated = EventKind(registered: "config_migrated")
    /// The `crash_loop` event.
    public static let crashLoop = EventKind(registered: "crash_loop")
    /// The `detector_error` event.
    public static let detectorError = EventKind(registered: "detector_error")
    /// The `dirty_auto_committed` event.
    public static let dirtyAutoCommitted = EventKind(registered: "dirty_auto_committed")
    /// The `dirty_check_failed` event.
    public static let dirtyCheckFailed = EventKind(registered: "dirty_check_failed")
    /// The `dirty_commit_failed` event.
    public static let dirtyCommitFailed = EventKind(registered: "dirty_commit_failed")
    /// The `dirty_detected` event.
    public static let dirtyDetected = EventKind(registered: "dirty_detected")
    /// The `fresh_eyes_round_triggered` event.
    public static let freshEyesRoundTriggered = EventKind(registered: "fresh_eyes_round_triggered")
    /// The `goal_assessment` event.
    public static let goalAssessment = EventKind(registered: "goal_assessment")
    /// The `goal_check` event.
    public static let goalCheck = EventKind(registered: "goal_check")
    /// The `hook_failed` event.
    public static let hookFailed = EventKind(registered: "hook_failed")
    /// The `host_cgroup_memory_limit` event.
    public static let hostCgroupMemoryLimit = EventKind(registered: "host_cgroup_memory_limit")
    /// The `max_rounds_reached` event.
    public static let maxRoundsReached = EventKind(registered: "max_rounds_reached")
    /// The `mem_loop` event.
    public static let memLoop = EventKind(registered: "mem_loop")
    /// The `mem_loop_persistent` event.
    public static let memLoopPersistent = EventKind(registered: "mem_loop_persistent")
    /// The `mem_pressure_deferred_to_cgroup` event.
    public static let memPressureDeferredToCgroup = EventKind(registered: "mem_pressure_deferred_to_cgroup")
    /// The `memory_high_engaged` event.
    public static let memoryHighEngaged = EventKind(registered: "memory_high_engaged")
    /// The `memory_high_released` event.
    public static let memoryHighReleased = EventKind(registered: "memory_high_released")
    /// The `memory_high_write_failed` event.
    public static let memoryHighWriteFailed = EventKind(registered: "memory_high_write_failed")
    /// The `monitor_alert_emitted` event.
    public static let monitorAlertEmitted = EventKind(registered: "monitor_alert_emitted")
    /// The `monitor_auto_stop_failed` event.
    public static let monitorAutoStopFailed = EventKind(registered: "monitor_auto_stop_failed")
    /// The `monitor_auto_stop_triggered` event.
    public static let monitorAutoStopTriggered = EventKind(registered: "monitor_auto_stop_triggered")
    /// The `monitor_remote_blip` event.
    public static let monitorRemoteBlip = EventKind(registered: "monitor_remote_blip")
    /// The `monitor_remote_giveup` event.
    public static let monitorRemoteGiveup = EventKind(registered: "monitor_remote_giveup")
    /// The `monitor_started` event.
    public static let monitorStarted = EventKind(registered: "monitor_started")
    /// The `orphan_idempotent_skip` event.
    public static let orphanIdempotentSkip = EventKind(registered: "orphan_idempotent_skip")
    /// The `orphan_stash_failed` event.
    public static let orphanStashFailed = EventKind(registered: "orphan_stash_failed")
    /// The `orphan_stashed` event.
    public static let orphanStashed = EventKind(registered: "orphan_stashed")
    /// The `package_upgraded` event.
    public static let packageUpgraded = EventKind(registered: "package_upgraded")
    /// The `rollout_finished` event: a `fleetctl upgrade` rollout ended (status finished, failed or aborted).
    public static let rolloutFinished = EventKind(registered: "rollout_finished")
    /// The `rollout_host_failed` event: a host failed its upgrade or its health gate during a rollout.
    public static let rolloutHostFailed = EventKind(registered: "rollout_host_failed")
    /// The `rollout_rolled_back` event: a host upgraded by a failed rollout was rolled back (or the rollback failed).
    public static let rolloutRolledBack = EventKind(registered: "rollout_rolled_back")
    /// The `rollout_stage_passed` event: every host of a rollout stage passed its health gate.
    public static let rolloutStagePassed = EventKind(registered: "rollout_stage_passed")
    /// The `rollout_started` event: `fleetctl upgrade` began (or resumed) a rollout.
    public static let rolloutStarted = EventKind(registered: "rollout_started")
    /// The `round_cgroup_memory` event.
    public static let roundCgroupMemory = EventKind(registered: "round_cgroup_memory")
    /// The `round_container_orphan_risk` event.
    public static let roundContainerOrphanRisk = EventKind(registered: "round_container_orphan_risk")
    /// The `round_deferred` event.
    public static let roundDeferred = EventKind(registered: "round_deferred")
    /// The `round_end` event.
    public static let roundEnd = EventKind(registered: "round_end")
    /// The `round_grace_extended` event.
    public static let roundGraceExtended = EventKind(registered: "round_grace_extended")
    /// The `round_grace_kill` event.
    public static let roundGraceKill = EventKind(registered: "round_grace_kill")
    /// The `round_logs_prune_deferred` event.
    public static let roundLogsPruneDeferred = EventKind(registered: "round_logs_prune_deferred")
    /// The `round_mem_critical_sample` event.
    public static let roundMemCriticalSample = EventKind(registered: "round_mem_critical_sample")
    /// The `round_mem_terminated` event.
    public static let roundMemTerminated = EventKind(registered: "round_mem_terminated")
    /// The `round_oom_killed` event.
    public static let roundOomKilled = EventKind(registered: "round_oom_killed")
    /// The `round_progress` event.
    public static let roundProgress = EventKind(registered: "round_progress")
    /// The `round_resumed` event.
    public static let roundResumed = EventKind(registered: "round_resumed")
    /// The `round_start` event.
    public static let roundStart = EventKind(registered: "round_start")
    /// The `round_substrate_after` event.
    public static let roundSubstrateAfter = EventKind(registered: "round_substrate_after")
    /// The `round_substrate_before` event.
    public static let roundSubstrateBefore = EventKind(registered: "round_substrate_before")
    /// The `round_supervisor_wedged` event.
    public static let roundSupervisorWedged = EventKind(registered: "round_supervisor_wedged")
    /// The `round_timeout_kill` event.
    public static let roundTimeoutKill = EventKind(registered: "round_timeout_kill")
    /// The `schedule_paused` event.
    public static let schedulePaused = EventKind(registered: "schedule_paused")
    /// The `schedule_phase_skipped` event.
    public static let schedulePhaseSkipped = EventKind(registered: "schedule_phase_skipped")
    /// The `schedule_resumed` event.
    public static let scheduleResumed = EventKind(registered: "schedule_resumed")
    /// The `service_upgrade_rollback_failed` event.
    public static let serviceUpgradeRollbackFailed = EventKind(registered: "service_upgrade_rollback_failed")
    /// The `service_upgrade_rolled_back` event.
    public static let serviceUpgradeRolledBack = EventKind(registered: "service_upgrade_rolled_back")
    /// The `service_upgraded` event.
    public static let serviceUpgraded = EventKind(registered: "service_upgraded")
    /// The `session_resumed` event.
    public static let sessionResumed = EventKind(registered: "session_resumed")
    /// The `smoke_check_failed` event.
    public static let smokeCheckFailed = EventKind(registered: "smoke_check_failed")
    /// The `stale_index_lock_cleared` event.
    public static let staleIndexLockCleared = EventKind(registered: "stale_index_lock_cleared")
    /// The `stalled_no_progress` event.
    public static let stalledNoProgress = EventKind(registered: "stalled_no_progress")
    /// The `status_recovered` event.
    public static let statusRecovered = EventKind(registered: "status_recovered")
    /// The `stop_file_detected` event.
    public static let stopFileDetected = EventKind(registered: "stop_file_detected")
    /// The `transient_error_backoff_capped` event.
    public static let transientErrorBackoffCapped = EventKind(registered: "transient_error_backoff_capped")
    /// The `transient_error_detected` event.
    public static let transientErrorDetected = EventKind(registered: "transient_error_detected")
    /// The `transient_error_recovered` event.
    public static let transientErrorRecovered = EventKind(registered: "transient_error_recovered")
    /// The `upgrade_start_failed` event.
    public static let upgradeStartFailed = EventKind(registered: "upgrade_start_failed")
    /// The `upgrade_recovered` event: `agent-runner upgrade` found the record of an upgrade that
    /// was cut short (killed, host rebooted) and finished it or went back to its old build.
    public static let upgradeRecovered = EventKind(registered: "upgrade_recovered")
    /// The `prompt_overwritten` event.
    public static let promptOverwritten = EventKind(registered: "prompt_overwritten")
    /// The `serve_startup_hook_failed` event.
    public static let serveStartupHookFailed = EventKind(registered: "serve_startup_hook_failed")
    /// The `serve_started` event.
    public static let serveStarted = EventKind(registered: "serve_started")
    /// The `serve_stopped` event.
    public static let serveStopped = EventKind(registered: "serve_stopped")
    /// The `log_write_failed` event.
    public static let logWriteFailed = EventKind(registered: "log_write_failed")
    /// The `stale_agent_killed` event: serve found an agent left running by a serve that died
    /// (kill -9, OOM) and killed its process group before starting a new round.
    public static let staleAgentKilled = EventKind(registered: "stale_agent_killed")

    /// Every registered kind, in registry order.
    public static let all: [EventKind] = [
        .agentAuthErrorDetected,
        .agentExit,
        .agentNetworkBlip,
        .agentSelfTerminated,
        .agentSpawn,
        .agentUsageRecorded,
        .anomalyRepetitiveTool,
        .cgroupGrowthRateWarning,
        .configBroken,
        .configMigrated,
        .crashLoop,
        .detectorError,
        .dirtyAutoCommitted,
        .dirtyCheckFailed,
        .dirtyCommitFailed,
        .dirtyDetected,
        .freshEyesRoundTriggered,
        .goalAssessment,
        .goalCheck,
        .hookFailed,
        .hostCgroupMemoryLimit,
        .maxRoundsReached,
        .memLoop,
        .memLoopPersistent,
        .memPressureDeferredToCgroup,
        .memoryHighEngaged,
        .memoryHighReleased,
        .memoryHighWriteFailed,
        .monitorAlertEmitted,
        .monitorAutoStopFailed,
        .monitorAutoStopTriggered,
        .monitorRemoteBlip,
        .monitorRemoteGiveup,
        .monitorStarted,
        .orphanIdempotentSkip,
        .orphanStashFailed,
        .orphanStashed,
        .packageUpgraded,
        .rolloutFinished,
        .rolloutHostFailed,
        .rolloutRolledBack,
        .rolloutStagePassed,
        .rolloutStarted,
        .roundCgroupMemory,
        .roundContainerOrphanRisk,
        .roundDeferred,
        .roundEnd,
        .roundGraceExtended,
        .roundGraceKill,
        .roundLogsPruneDeferred,
        .roundMemCriticalSample,
        .roundMemTerminated,
        .roundOomKilled,
        .roundProgress,
        .roundResumed,
        .roundStart,
        .roundSubstrateAfter,
        .roundSubstrateBefore,
        .roundSupervisorWedged,
        .roundTimeoutKill,
        .schedulePaused,
        .schedulePhaseSkipped,
        .scheduleResumed,
        .serviceUpgradeRollbackFailed,
        .serviceUpgradeRolledBack,
        .serviceUpgraded,
        .sessionResumed,
        .smokeCheckFailed,
        .staleIndexLockCleared,
        .stalledNoProgress,
        .statusRecovered,
        .stopFileDetected,
        .transientErrorBackoffCapped,
        .transientErrorDetected,
        .transientErrorRecovered,
        .upgradeStartFailed,
        .upgradeRecovered,
        .promptOverwritten,
        .serveStartupHookFailed,
        .serveStarted,
        .serveStopped,
        .logWriteFailed,
        .staleAgentKilled,
    ]

    private static let registeredNames: Set<String> = Set(all.map(\.rawValue))
}
