import FleetCore
import XCTest

final class EventKindTests: XCTestCase {
    private let required = """
        agent_auth_error_detected, agent_exit, agent_network_blip, agent_self_terminated, agent_spawn, agent_usage_recorded, \
        anomaly_repetitive_tool, cgroup_growth_rate_warning, config_broken, config_migrated, crash_loop, detector_error, \
        dirty_auto_committed, dirty_check_failed, dirty_commit_failed, dirty_detected, fresh_eyes_round_triggered, \
        goal_assessment, goal_check, hook_failed, host_cgroup_memory_limit, max_rounds_reached, mem_loop, mem_loop_persistent, \
        mem_pressure_deferred_to_cgroup, memory_high_engaged, memory_high_released, memory_high_write_failed, \
        monitor_alert_emitted, monitor_auto_stop_failed, monitor_auto_stop_triggered, monitor_remote_blip, \
        monitor_remote_giveup, monitor_started, orphan_idempotent_skip, orphan_stash_failed, orphan_stashed, package_upgraded, \
        round_cgroup_memory, round_container_orphan_risk, round_deferred, round_end, round_grace_extended, round_grace_kill, \
        round_logs_prune_deferred, round_mem_critical_sample, round_mem_terminated, round_oom_killed, round_progress, \
        round_resumed, round_start, round_substrate_after, round_substrate_before, round_supervisor_wedged, round_timeout_kill, \
        schedule_paused, schedule_phase_skipped, schedule_resumed, service_upgrade_rollback_failed, \
        service_upgrade_rolled_back, service_upgraded, session_resumed, smoke_check_failed, stale_index_lock_cleared, \
        stalled_no_progress, status_recovered, stop_file_detected, transient_error_backoff_capped, transient_error_detected, \
        transient_error_recovered, upgrade_start_failed, prompt_overwritten, serve_startup_hook_failed, serve_started, \
        serve_stopped, log_write_failed, stale_agent_killed, rollout_started, rollout_stage_passed, rollout_host_failed, \
        rollout_rolled_back, rollout_finished, upgrade_recovered
        """
        .split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }

    func testRegistryHasNoDuplicatesAndEveryRequiredKind() {
        let names = EventKind.all.map(\.rawValue)
        XCTAssertEqual(Set(names).count, names.count, "duplicate kinds in EventKind.all")
        XCTAssertEqual(required.count, 83)
        for name in required {
            XCTAssertTrue(names.contains(name), "EventKind.all lacks \(name)")
            XCTAssertEqual(EventKind(validating: name)?.rawValue, name)
        }
        XCTAssertEqual(Set(names), Set(required), "EventKind.all has kinds outside the documented list")
    }

    func testUnknownKindsCannotBeConstructed() {
        XCTAssertNil(EventKind(validating: "round_ends"))
        XCTAssertNil(EventKind(rawValue: ""))
        XCTAssertNil(EventKind(rawValue: "Round_End"))
        XCTAssertEqual(EventKind.roundEnd.rawValue, "round_end")
        XCTAssertEqual(EventKind(rawValue: "log_write_failed"), .logWriteFailed)
        XCTAssertEqual("\(EventKind.agentSpawn)", "agent_spawn")
    }
}
