import FleetCore
import XCTest

@testable import Detectors

final class RemoteFailureToleranceTests: XCTestCase {
    private let refused = RemoteFailure(
        returncode: 255, stderrTail: "ssh: connect to host pi port 22: Connection refused")

    private func blip(
        _ transition: RemoteFailureTransition, file: StaticString = #filePath, line: UInt = #line
    ) -> RemoteBlip? {
        guard case .blip(let blip) = transition else {
            XCTFail("expected a blip, got \(transition)", file: file, line: line)
            return nil
        }
        return blip
    }

    func testBackoffDoublesUpToThirtySeconds() {
        var tolerance = RemoteFailureTolerance(toleranceS: 3600)
        var now = 0.0
        var sleeps: [Double] = []
        for attempt in 1...8 {
            let result = blip(tolerance.record(.failure(refused), at: now))
            XCTAssertEqual(result?.attempt, attempt)
            XCTAssertEqual(result?.elapsedS, now)
            sleeps.append(result?.nextSleepS ?? -1)
            now += result?.nextSleepS ?? 0
        }
        XCTAssertEqual(sleeps, [1, 2, 4, 8, 16, 30, 30, 30])
    }

    func testGivesUpAtTheToleranceAsObserved() throws {
        // The original with tolerance 5 and an always-failing ssh: blips at 0, 1, 3 (sleeps 1, 2, 2 cut
        // by the tolerance), give-up at 5 after 4 attempts.
        var tolerance = RemoteFailureTolerance(toleranceS: 5)
        let first = try XCTUnwrap(blip(tolerance.record(.failure(refused), at: 100)))
        XCTAssertEqual(
            MonitorRemoteBlip(host: "pi", blip: first).payload,
            [
                "host": "pi", "returncode": 255, "error": "ssh: connect to host pi port 22: Connection refused",
                "attempt": 1,
                "elapsed_s": 0.0, "cap_s": 5, "resume_since": nil, "next_sleep_s": 1,
            ])
        XCTAssertEqual(blip(tolerance.record(.failure(refused), at: 101))?.nextSleepS, 2)
        let third = try XCTUnwrap(blip(tolerance.record(.failure(refused), at: 103.0078)))
        XCTAssertEqual(third.nextSleepS, 1.9922, accuracy: 1e-9)
        XCTAssertEqual(
            MonitorRemoteBlip(host: "pi", blip: third, resumeSince: "2026-11-25T10:00:05.000Z").payload["next_sleep_s"]?
                .doubleValue ?? 0, 1.9922, accuracy: 1e-9)
        XCTAssertEqual(
            MonitorRemoteBlip(host: "pi", blip: third, resumeSince: "2026-11-25T10:00:05.000Z").payload["resume_since"],
            "2026-11-25T10:00:05.000Z")
        XCTAssertEqual(
            blip(tolerance.record(.failure(refused), at: 104.9))?.attempt, 4, "just below the tolerance is still a blip"
        )
        let transition = tolerance.record(.failure(refused), at: 105)
        guard case .giveUp(let giveUp) = transition else { return XCTFail("expected give-up, got \(transition)") }
        XCTAssertEqual(giveUp.totalAttempts, 5)
        XCTAssertEqual(giveUp.totalElapsedS, 5)
        XCTAssertEqual(
            MonitorRemoteGiveup(host: "pi", giveUp: giveUp).payload,
            [
                "host": "pi", "returncode": 255, "total_attempts": 5, "total_elapsed_s": 5.0, "cap_s": 5,
                "final_error": "ssh: connect to host pi port 22: Connection refused", "resume_since": nil,
            ])
        XCTAssertTrue(tolerance.givenUp)
        XCTAssertEqual(
            tolerance.activeAlert(host: "pi")?.message,
            "gave up after 5s / 5 attempts (ssh rc=255): ssh: connect to host pi port 22: Connection refused")
        XCTAssertEqual(tolerance.activeAlert(host: "pi")?.detector, "monitor_remote_giveup")
        XCTAssertEqual(
            tolerance.record(.failure(refused), at: 135), .stillDown(attempts: 6, elapsedS: 35),
            "give-up happens once per episode")
    }

    func testToleranceZeroGivesUpAtTheFirstFailure() {
        var tolerance = RemoteFailureTolerance(toleranceS: 0)
        guard case .giveUp(let giveUp) = tolerance.record(.failure(refused), at: 7) else {
            return XCTFail("expected give-up")
        }
        XCTAssertEqual(giveUp.totalAttempts, 1)
        XCTAssertEqual(giveUp.totalElapsedS, 0)
        XCTAssertEqual(giveUp.capS, 0)
    }

    func testSuccessAfterTheSettlePeriodEndsTheEpisode() {
        var tolerance = RemoteFailureTolerance(toleranceS: 90, settleS: 60)
        XCTAssertEqual(tolerance.record(.success, at: 0), RemoteFailureTransition.none)
        _ = tolerance.record(.failure(refused), at: 10)
        _ = tolerance.record(.failure(refused), at: 11)
        XCTAssertEqual(tolerance.record(.success, at: 40), RemoteFailureTransition.none)
        XCTAssertEqual(tolerance.record(.success, at: 99.9), RemoteFailureTransition.none)
        XCTAssertEqual(tolerance.record(.success, at: 100), .reset(attempts: 2))
        XCTAssertNil(tolerance.episode)
        // A fresh episode starts its back-off from the beginning.
        XCTAssertEqual(blip(tolerance.record(.failure(refused), at: 200))?.nextSleepS, 1)
    }

    func testSettleZeroResetsImmediatelyLikeTheOriginal() {
        var tolerance = RemoteFailureTolerance(toleranceS: 90, settleS: 0)
        _ = tolerance.record(.failure(refused), at: 0)
        XCTAssertEqual(tolerance.record(.success, at: 1), .reset(attempts: 1))
    }

    func testRecoveryAfterAGiveUp() {
        var tolerance = RemoteFailureTolerance(toleranceS: 10, settleS: 60)
        _ = tolerance.record(.failure(refused), at: 0)
        _ = tolerance.record(.failure(refused), at: 10)
        XCTAssertTrue(tolerance.givenUp)
        XCTAssertEqual(tolerance.record(.success, at: 20), RemoteFailureTransition.none)
        XCTAssertNotNil(tolerance.activeAlert(host: "pi"), "still given up while settling")
        XCTAssertEqual(tolerance.record(.success, at: 80), .recovered(attempts: 2, downForS: 80))
        XCTAssertNil(tolerance.activeAlert(host: "pi"))
    }

    func testFlappingHostIsOneEpisodeWithOneGiveUpAndOneRecovery() {
        // Up and down every 5 s for 10 minutes, then stable. The tracker sees the give-up alert
        // while the tolerance says given up.
        var tolerance = RemoteFailureTolerance(toleranceS: 90, settleS: 60)
        var tracker = AlertTracker()
        var giveUps = 0
        var recoveries = 0
        var resets = 0
        var notifications: [AlertTransition] = []
        var now = 0.0
        func poll(_ up: Bool) {
            let transition = tolerance.record(up ? .success : .failure(refused), at: now)
            switch transition {
            case .giveUp: giveUps += 1
            case .recovered: recoveries += 1
            case .reset: resets += 1
            default: break
            }
            let extra = tolerance.activeAlert(host: "edge-1").map { [$0] } ?? []
            let poll: AlertTracker.Poll = up ? .measured(extra) : .unreachable(extra: extra)
            notifications += tracker.record(poll, at: Fixtures.instant(now))
            now += 5
        }
        for step in 0..<120 { poll(step % 2 == 1) }
        for _ in 0..<20 { poll(true) }
        XCTAssertEqual(giveUps, 1)
        XCTAssertEqual(recoveries, 1)
        XCTAssertEqual(resets, 0)
        XCTAssertEqual(notifications.count, 2, "one firing, one resolution: \(notifications)")
        if case .fired(let alert)? = notifications.first {
            XCTAssertEqual(alert.detector, "monitor_remote_giveup")
        } else {
            XCTFail("first is a firing")
        }
        if case .resolved? = notifications.last {} else { XCTFail("last is a resolution") }
    }

    func testNonMonotonicOrNonFiniteTimeIsClamped() {
        var tolerance = RemoteFailureTolerance(toleranceS: 90)
        _ = tolerance.record(.failure(refused), at: 50)
        XCTAssertEqual(
            blip(tolerance.record(.failure(refused), at: 10))?.elapsedS, 0, "time going backwards counts as no time")
        XCTAssertEqual(blip(tolerance.record(.failure(refused), at: .nan))?.elapsedS, 0)
        XCTAssertEqual(blip(tolerance.record(.failure(refused), at: 60))?.elapsedS, 10)
        let odd = RemoteFailureTolerance(toleranceS: -4, settleS: .infinity)
        XCTAssertEqual(odd.toleranceS, 0)
        XCTAssertEqual(odd.settleS, 0)
    }
}
