import FleetCore
import SSHTransport

/// The command the event relay runs on the host, as data (detectors.md §7.1; the original's
/// `remote_relay.py`): `agent-runner events --tail --kind K1,K2,... [--since TS] [--config P]`,
/// `--since` the newest `ts` relayed so far, omitted until there is one.
public struct RelayCommand: Sendable, Equatable {
    /// The agent-runner on the host (`agent-runner` on its PATH by default, as the original runs it).
    public var agentRunner: String
    /// The kinds asked for, in the order given.
    public var kinds: [String]
    /// The host's agent-runner.toml (`--remote-config`); nil: the remote default (its landing
    /// directory's agent-runner.toml, which usually does not exist).
    public var remoteConfig: String?

    public init(
        kinds: [String] = RelayCommand.originalKinds, remoteConfig: String? = nil,
        agentRunner: String = "agent-runner"
    ) {
        self.kinds = kinds
        self.remoteConfig = remoteConfig
        self.agentRunner = agentRunner
    }

    /// The remote argv (quoted for the remote shell by ``SSHCommandLine``).
    public func argv(since: String?) -> [String] {
        var argv = [AgentRunnerCommand.remotePath(agentRunner), "events", "--tail"]
        argv += ["--kind", kinds.joined(separator: ",")]
        if let since { argv += ["--since", since] }
        if let remoteConfig { argv += ["--config", AgentRunnerCommand.remotePath(remoteConfig)] }
        return argv
    }

    /// The original 0.3.14's 71 built-in kinds, sorted: what its relay asks for by default
    /// (`samples/relay-ssh-argv-default-kinds.txt`), and the default here, so the relay works
    /// against a host that still runs the original (whose `events` accepts any kind, but this way
    /// both relays ask the same). Kinds only ours writes (`serve_started`, `stale_agent_killed`,
    /// ...) are asked for with `--kind`.
    public static let originalKinds: [String] = [
        "agent_auth_error_detected", "agent_exit", "agent_network_blip", "agent_self_terminated", "agent_spawn",
        "agent_usage_recorded", "anomaly_repetitive_tool", "cgroup_growth_rate_warning", "config_broken",
        "config_migrated", "crash_loop", "detector_error", "dirty_auto_committed", "dirty_check_failed",
        "dirty_commit_failed", "dirty_detected", "fresh_eyes_round_triggered", "goal_assessment", "goal_check",
        "hook_failed", "host_cgroup_memory_limit", "max_rounds_reached", "mem_loop", "mem_loop_persistent",
        "mem_pressure_deferred_to_cgroup", "memory_high_engaged", "memory_high_released", "memory_high_write_failed",
        "monitor_alert_emitted", "monitor_auto_stop_failed", "monitor_auto_stop_triggered", "monitor_remote_blip",
        "monitor_remote_giveup", "monitor_started", "orphan_idempotent_skip", "orphan_stash_failed",
        "orphan_stashed", "package_upgraded", "round_cgroup_memory", "round_container_orphan_risk", "round_deferred",
        "round_end", "round_grace_extended", "round_grace_kill", "round_logs_prune_deferred",
        "round_mem_critical_sample", "round_mem_terminated", "round_oom_killed", "round_progress", "round_resumed",
        "round_start", "round_substrate_after", "round_substrate_before", "round_supervisor_wedged",
        "round_timeout_kill", "schedule_paused", "schedule_phase_skipped", "schedule_resumed",
        "service_upgrade_rollback_failed", "service_upgrade_rolled_back", "service_upgraded", "session_resumed",
        "smoke_check_failed", "stale_index_lock_cleared", "stalled_no_progress", "status_recovered",
        "stop_file_detected", "transient_error_backoff_capped", "transient_error_detected",
        "transient_error_recovered", "upgrade_start_failed",
    ]
}
