import FleetCore
import XCTest

@testable import Detectors

private typealias F = Fixtures

final class EventIndexTests: XCTestCase {
    /// Every kind a detector reads is recognised, `monitor_*` at any length counts as the
    /// monitor's own, and near-misses (same length, one letter off) are `other`.
    func testClassifiesEveryKindTheDetectorsRead() {
        let expected: [(String, EventIndex.Kind)] = [
            ("round_end", .roundEnd), ("agent_spawn", .agentSpawn),
            ("agent_auth_error_detected", .agentAuthErrorDetected),
            ("orphan_stashed", .orphanStashed), ("anomaly_repetitive_tool", .anomalyRepetitiveTool),
            ("transient_error_detected", .transientErrorDetected),
            ("transient_error_recovered", .transientErrorRecovered),
            ("agent_usage_recorded", .agentUsageRecorded), ("schedule_paused", .schedulePaused),
            ("round_deferred", .roundDeferred),
            ("schedule_resumed", .scheduleResumed), ("round_resumed", .roundResumed), ("detector_error", .monitorOwn),
            ("monitor_", .monitorOwn), ("monitor_x", .monitorOwn), ("monitor_started", .monitorOwn),
            ("monitor_alert_emitted", .monitorOwn), ("monitor_remote_giveup", .monitorOwn),
            ("monitor_a_name_long_enough_for_the_default_case", .monitorOwn),
            ("round_env", .other), ("round_start", .other), ("agent_exit", .other), ("monitor", .other),
            ("Monitor_started", .other),
            ("", .other), ("orphan_stashes", .other), ("agent_auth_error_detecteD", .other), ("rOund_end", .other),
        ]
        for (name, kind) in expected { XCTAssertEqual(EventIndex.Kind(name), kind, name) }
    }

    func testPositionsAndPresence() {
        let events = [
            F.event(1, "round_start"), F.event(2, "agent_spawn"), F.event(3, "round_end"),
            F.event(4, "monitor_started"),
            F.event(5, "agent_spawn"), F.event(6, "round_end"),
        ]
        let index = EventIndex(events)
        XCTAssertEqual(index.kinds, [.other, .agentSpawn, .roundEnd, .monitorOwn, .agentSpawn, .roundEnd])
        XCTAssertEqual(index.positions(of: .agentSpawn), [1, 4])
        XCTAssertEqual(index.positions(of: .roundEnd), [2, 5])
        XCTAssertEqual(index.positions(of: .orphanStashed), [])
        XCTAssertTrue(index.contains(.monitorOwn))
        XCTAssertFalse(index.contains(.transientErrorDetected))
        XCTAssertTrue(index.containsAny(.transientErrorDetected, .roundEnd))
        XCTAssertFalse(index.containsAny(.transientErrorDetected, .transientErrorRecovered))
    }

    /// The index describes the events the observation keeps (the newest `maxEvents`), not
    /// the ones it was given.
    func testObservationIndexesTheEventsItKeeps() {
        let many = (0..<(HostObservation.maxEvents + 5)).map {
            F.event(Double($0), $0 < 5 ? "orphan_stashed" : "round_end")
        }
        let observation = F.observation(now: 10_000, events: many)
        XCTAssertEqual(observation.eventIndex.kinds.count, HostObservation.maxEvents)
        XCTAssertFalse(observation.eventIndex.contains(.orphanStashed), "the dropped oldest events must not be indexed")
    }
}
