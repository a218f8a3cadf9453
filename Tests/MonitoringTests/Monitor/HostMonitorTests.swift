import Detectors
import FleetCore
import TestSupport
import XCTest

@testable import Monitoring

final class HostMonitorTests: XCTestCase {
    func monitor(
        hold: Double = 0, repeatS: Double = 0, tolerance: Int = 10, settle: Double = 2, autoStop: Bool = true
    ) -> HostMonitor {
        var policy = MonitorPolicy(holdS: hold, repeatS: repeatS, toleranceS: tolerance, settleS: settle)
        policy.autoStop.enabled = autoStop
        return HostMonitor(host: "pi", policy: policy)
    }

    func states(_ step: HostMonitor.Step) -> [String] {
        step.notifications.map { "\($0.state.rawValue)\($0.isRepeat ? "+repeat" : "") \($0.alert.detector)" }
    }

    func testDiskCriticalFiresOnceAsksOneStopAndResolves() {
        var host = monitor()
        let first = host.observe(.measured(Peek.observation(at: 0, disk: 97)), at: Peek.time(0))
        XCTAssertEqual(states(first), ["firing disk_critical"])
        XCTAssertEqual(first.notifications.first?.autoAction, "stop_service")
        XCTAssertEqual(first.autoStops.map(\.detector), ["disk_critical"])
        let again = host.observe(.measured(Peek.observation(at: 30, disk: 98)), at: Peek.time(30))
        XCTAssertEqual(states(again), [], "still firing: no notification, no second stop")
        XCTAssertEqual(again.autoStops, [])
        let fixed = host.observe(.measured(Peek.observation(at: 60, disk: 50)), at: Peek.time(60))
        XCTAssertEqual(states(fixed), ["resolved disk_critical"])
        XCTAssertEqual(fixed.notifications.first?.since, Peek.time(0))
    }

    func testHoldKeepsAlertPendingAndANeverFiredAlertNeverResolves() {
        var host = monitor(hold: 60)
        XCTAssertEqual(states(host.observe(.measured(Peek.observation(at: 0, disk: 97)), at: Peek.time(0))), [])
        XCTAssertEqual(Array(host.pending.keys), ["disk_critical"])
        XCTAssertEqual(
            states(host.observe(.measured(Peek.observation(at: 30, disk: 50)), at: Peek.time(30))), [],
            "gone while pending: silent")
        XCTAssertTrue(host.pending.isEmpty)
        XCTAssertEqual(states(host.observe(.measured(Peek.observation(at: 40, disk: 97)), at: Peek.time(40))), [])
        XCTAssertEqual(states(host.observe(.measured(Peek.observation(at: 70, disk: 97)), at: Peek.time(70))), [])
        let fired = host.observe(.measured(Peek.observation(at: 100, disk: 97)), at: Peek.time(100))
        XCTAssertEqual(states(fired), ["firing disk_critical"], "present for 60 s since the second appearance")
        XCTAssertEqual(fired.autoStops.count, 1)
    }

    func testRepeatInterval() {
        var host = monitor(repeatS: 100, autoStop: false)
        XCTAssertEqual(
            states(host.observe(.measured(Peek.observation(at: 0, disk: 97)), at: Peek.time(0))),
            ["firing disk_critical"])
        XCTAssertEqual(states(host.observe(.measured(Peek.observation(at: 50, disk: 97)), at: Peek.time(50))), [])
        XCTAssertEqual(
            states(host.observe(.measured(Peek.observation(at: 100, disk: 97)), at: Peek.time(100))),
            ["firing+repeat disk_critical"])
        XCTAssertEqual(states(host.observe(.measured(Peek.observation(at: 150, disk: 97)), at: Peek.time(150))), [])
        XCTAssertEqual(
            states(host.observe(.measured(Peek.observation(at: 200, disk: 97)), at: Peek.time(200))),
            ["firing+repeat disk_critical"])
    }

    func testBlipsThenGiveUpThenRecoveryWithOthersSuppressed() {
        var host = monitor(repeatS: 5, tolerance: 10, settle: 2)
        XCTAssertEqual(
            states(host.observe(.measured(Peek.observation(at: 0, rounds: 12, auth: 12)), at: Peek.time(0))),
            ["firing oauth_fail"])
        let blip = host.observe(.unreachable(Peek.refused), at: Peek.time(1))
        XCTAssertEqual(blip.events.map(\.eventKind), [.monitorRemoteBlip])
        XCTAssertEqual(blip.retryAfterS, 1)
        XCTAssertEqual(host.reachability, .blip)
        XCTAssertEqual(states(blip), [])
        XCTAssertEqual(
            host.observe(.unreachable(Peek.refused), at: Peek.time(6)).events.map(\.eventKind), [.monitorRemoteBlip])
        let giveUp = host.observe(.unreachable(Peek.refused), at: Peek.time(11.5))
        XCTAssertEqual(giveUp.events.map(\.eventKind), [.monitorRemoteGiveup])
        XCTAssertEqual(states(giveUp), ["firing monitor_remote_giveup"])
        XCTAssertEqual(host.reachability, .unreachable)
        // Unreachable: oauth_fail neither resolves nor repeats; the give-up alert may repeat.
        let down = host.observe(.unreachable(Peek.refused), at: Peek.time(20))
        XCTAssertEqual(states(down), ["firing+repeat monitor_remote_giveup"])
        XCTAssertTrue(down.events.isEmpty)
        XCTAssertEqual(Set(host.firing.map(\.alert.detector)), ["oauth_fail", "monitor_remote_giveup"])
        // Back, but not yet settled: still given up, nothing resolves; the alert held while
        // unreachable is readable again and due for its reminder.
        XCTAssertEqual(
            states(host.observe(.measured(Peek.observation(at: 21, rounds: 12, auth: 12)), at: Peek.time(21))),
            ["firing+repeat oauth_fail"])
        let settled = host.observe(.measured(Peek.observation(at: 23.5, rounds: 12, auth: 0)), at: Peek.time(23.5))
        XCTAssertEqual(Set(states(settled)), ["resolved monitor_remote_giveup", "resolved oauth_fail"])
        XCTAssertEqual(host.reachability, .reachable)
    }

    func testFlappingHostIsOneEpisode() {
        var host = monitor(tolerance: 5, settle: 3)
        var kinds: [EventKind] = []
        for second in 0..<12 {
            let input: HostMonitor.Input =
                second % 2 == 0 ? .unreachable(Peek.refused) : .measured(Peek.observation(at: Double(second)))
            kinds += host.observe(input, at: Peek.time(Double(second))).events.map(\.eventKind)
        }
        XCTAssertEqual(kinds.filter { $0 == .monitorRemoteGiveup }.count, 1)
    }

    func testStateRoundTripDoesNotRenotifyOrRestop() throws {
        var host = monitor(repeatS: 100, tolerance: 10)
        _ = host.observe(.measured(Peek.observation(at: 0, disk: 97)), at: Peek.time(0))
        _ = host.observe(.unreachable(Peek.refused), at: Peek.time(5))
        let saved = JSONWriter(style: .compact).string(host.toJSON())
        var restored = try HostMonitor(
            host: "pi", policy: host.policy, json: try JSONParser.strict.parse(Array(saved.utf8)))
        XCTAssertEqual(restored.firing.map(\.alert.detector), ["disk_critical"])
        XCTAssertNotNil(restored.tolerance.episode, "the open failure episode survives")
        let next = restored.observe(.measured(Peek.observation(at: 50, disk: 97)), at: Peek.time(50))
        XCTAssertEqual(states(next), [])
        XCTAssertEqual(next.autoStops, [], "stopped once in this episode, not again after a restart")
        XCTAssertEqual(
            states(restored.observe(.measured(Peek.observation(at: 100, disk: 97)), at: Peek.time(100))),
            ["firing+repeat disk_critical"])
    }

    func testUnreadableKeepsStateAndCountsAsReachable() {
        var host = monitor()
        _ = host.observe(.measured(Peek.observation(at: 0, disk: 97)), at: Peek.time(0))
        let step = host.observe(.unreadable, at: Peek.time(10))
        XCTAssertEqual(states(step), [])
        XCTAssertEqual(host.reachability, .unreadable)
        XCTAssertEqual(host.firing.count, 1)
    }

    func testAutoStopBudgetCapsFleetWide() {
        var budget = AutoStopBudget(limit: 2)
        XCTAssertTrue(budget.admit(at: Peek.time(0)))
        XCTAssertTrue(budget.admit(at: Peek.time(10)))
        XCTAssertFalse(budget.admit(at: Peek.time(20)))
        XCTAssertTrue(budget.admit(at: Peek.time(601)), "the first stop left the 10-minute window")
        XCTAssertFalse(budget.admit(at: Peek.time(605)))
    }
}
