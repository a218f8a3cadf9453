import FleetCore
import XCTest

final class EventKindFamilyTests: XCTestCase {
    func testFailuresRedThrottlesAmberMilestonesBlueRoundsNeutral() {
        let expected: [(String, StateClass?)] = [
            ("round_start", nil), ("round_end", nil), ("agent_spawn", nil), ("round_substrate_before", nil),
            ("agent_exit", nil), ("agent_usage_recorded", nil), ("dirty_detected", nil),
            ("hook_failed", .bad), ("serve_startup_hook_failed", .bad), ("config_broken", .bad), ("crash_loop", .bad),
            ("round_timeout_kill", .bad), ("round_grace_kill", .bad), ("stale_agent_killed", .bad),
            ("round_oom_killed", .bad), ("round_mem_terminated", .bad), ("mem_loop_persistent", .bad),
            ("agent_auth_error_detected", .bad), ("monitor_remote_giveup", .bad), ("service_upgrade_rolled_back", .bad),
            ("transient_error_detected", .warn), ("transient_error_backoff_capped", .warn),
            ("agent_network_blip", .warn), ("round_deferred", .warn), ("schedule_paused", .warn),
            ("cgroup_growth_rate_warning", .warn), ("monitor_alert_emitted", .warn), ("memory_high_engaged", .warn),
            ("anomaly_repetitive_tool", .warn), ("schedule_phase_skipped", .warn),
            ("transient_error_recovered", .ok), ("round_resumed", .ok), ("schedule_resumed", .ok),
            ("service_upgraded", .ok), ("upgrade_recovered", .ok), ("dirty_auto_committed", .ok),
            ("serve_started", .info), ("serve_stopped", .info), ("max_rounds_reached", .info),
            ("agent_self_terminated", .info), ("stop_file_detected", .info),
            ("a_kind_from_a_newer_version_failed", .bad), ("", nil),
        ]
        for (kind, state) in expected {
            XCTAssertEqual(EventKindFamily.state(of: kind), state, kind)
        }
    }

    /// Every kind this build writes gets a decision (a typo in a rule word shows as a changed colour here).
    func testEveryKnownKindIsClassified() {
        var counts: [String: Int] = [:]
        for kind in EventKind.all {
            counts[EventKindFamily.state(of: kind.rawValue)?.rawValue ?? "neutral", default: 0] += 1
        }
        XCTAssertGreaterThan(counts["bad"] ?? 0, 10, "\(counts)")
        XCTAssertGreaterThan(counts["warn"] ?? 0, 5, "\(counts)")
        XCTAssertGreaterThan(counts["neutral"] ?? 0, 5, "\(counts)")
    }
}
