import FleetCore
import Foundation
import Monitoring
import TestSupport
import XCTest

@testable import FleetControl

final class RolloutPlannerTests: XCTestCase {
    func testCanaryFirstThenBatchesSkippingCurrentAndUnreachable() {
        let candidates = [
            RolloutCandidate(name: "pi", version: "0.1.0", reachable: true),
            RolloutCandidate(name: "a", version: "0.1.0", reachable: true),
            RolloutCandidate(name: "b", version: "0.2.0", reachable: true),
            RolloutCandidate(name: "c", version: nil, reachable: false, error: "connection refused"),
            RolloutCandidate(name: "d", version: "0.1.0", reachable: true),
            RolloutCandidate(name: "e", version: "0.1.0", reachable: true),
        ]
        let plan = RolloutPlanner.plan(candidates: candidates, target: "0.2.0", canary: ["pi"], batch: .count(2))
        XCTAssertEqual(
            plan.stages,
            [
                .init(kind: .canary, hosts: ["pi"]), .init(kind: .batch(1), hosts: ["a", "d"]),
                .init(kind: .batch(2), hosts: ["e"]),
            ])
        XCTAssertEqual(plan.skipped.map(\.host), ["b", "c"])
        XCTAssertTrue(plan.text.contains("skip c: unreachable (connection refused)"), plan.text)
        let withUnreachable = RolloutPlanner.plan(
            candidates: candidates, target: "0.2.0", canary: ["pi"], batch: .percent(50), includeUnreachable: true)
        XCTAssertEqual(withUnreachable.hosts, ["pi", "a", "c", "d", "e"])
        XCTAssertEqual(withUnreachable.stages.count, 3)
        XCTAssertFalse(
            withUnreachable.stages.dropFirst().contains { $0.hosts.contains("pi") }, "canaries never join a batch")
    }

    /// A host on the target version with an unfinished upgrade (cut short by a reboot) is
    /// planned again, not skipped: its version was never confirmed.
    func testAnUnfinishedUpgradeIsNotAlreadyOnTarget() {
        let plan = RolloutPlanner.plan(
            candidates: [
                RolloutCandidate(name: "pi", version: "0.2.0", reachable: true, upgradeInProgress: true),
                RolloutCandidate(name: "a", version: "0.2.0", reachable: true),
                RolloutCandidate(name: "b", version: "0.1.0", reachable: true, upgradeInProgress: true),
            ], target: "0.2.0", canary: ["pi"], batch: .count(5))
        XCTAssertEqual(plan.stages.map(\.hosts), [["pi"], ["b"]])
        XCTAssertEqual(plan.skipped.map(\.host), ["a"])
    }
}

final class HealthGateTests: XCTestCase {
    let gate = HealthGate(target: "0.2.0")

    func testVerdicts() {
        let good = HealthSample(measured: true, version: "0.2.0", serviceActive: true, round: 5)
        XCTAssertEqual(gate.evaluate([good], bakeOver: false, roundBefore: 4), .pending)
        XCTAssertEqual(gate.evaluate([good, good], bakeOver: true, roundBefore: 4), .healthy)
        XCTAssertEqual(
            gate.evaluate([HealthSample(measured: true, version: "0.1.0")], bakeOver: false, roundBefore: nil),
            .unhealthy("answers from version 0.1.0, not 0.2.0"))
        XCTAssertEqual(
            gate.evaluate(
                [good, HealthSample(measured: true, version: "0.2.0", serviceActive: false)], bakeOver: false,
                roundBefore: nil), .unhealthy("its service is not running"))
        XCTAssertEqual(
            gate.evaluate(
                [HealthSample(measured: true, version: "0.2.0", newCriticalAlerts: ["oauth_fail"])], bakeOver: false,
                roundBefore: nil), .unhealthy("new critical alert: oauth_fail"))
        let lost = HealthSample(measured: false)
        XCTAssertEqual(
            gate.evaluate([lost, lost, good], bakeOver: true, roundBefore: 4), .healthy,
            "unmeasurable is retried, not a failure")
        XCTAssertEqual(
            gate.evaluate([lost, lost, lost], bakeOver: false, roundBefore: nil),
            .unhealthy("could not be measured 3 times in a row"))
        let unknownService = HealthSample(measured: true, version: "0.2.0", serviceActive: nil, round: 4)
        XCTAssertEqual(
            gate.evaluate([unknownService], bakeOver: true, roundBefore: 4),
            .unhealthy("no round progressed during the bake"))
    }
}

final class RolloutJournalTests: XCTestCase {
    /// A journal of a plan to 0.2.0 over `hosts` (all on 0.1.0, "pi" the canary).
    static func journal(id: String, hosts: [String], batch: Int) -> RolloutJournal {
        let plan = RolloutPlanner.plan(
            candidates: hosts.map { RolloutCandidate(name: $0, version: "0.1.0", reachable: true) },
            target: "0.2.0", canary: ["pi"], batch: .count(batch))
        return RolloutJournal(id: id, plan: plan, createdAt: "2026-11-25T00:00:00.000Z")
    }

    /// Journals do not pile up: past the newest 50 finished or aborted ones the oldest go with
    /// their run locks when a rollout starts; running and failed ones (resumable) always stay.
    func testFinishedJournalsAreBoundedAndResumableOnesStay() throws {
        let files = MemoryFileSystem()
        let store = RolloutJournalStore(stateDirectory: "/state", fileSystem: files)
        for index in 0..<56 {
            var journal = Self.journal(id: String(format: "r%02d", index), hosts: ["pi"], batch: 1)
            journal.createdAt = String(format: "2026-11-25T00:%02d:00.000Z", index)
            journal.status = index == 0 ? .failed : index == 1 ? .running : index % 2 == 0 ? .finished : .aborted
            try store.save(journal)
            try files.writeAtomically([], to: "/state/rollouts/\(journal.id).lock", mode: 0o600)
        }
        XCTAssertEqual(store.prune(keep: 50), ["r02", "r03", "r04", "r05"])
        let left = store.list().map(\.id)
        XCTAssertEqual(left.count, 52)
        XCTAssertEqual(Array(left.prefix(3)), ["r00", "r01", "r06"], "failed and running stay, whatever their age")
        XCTAssertFalse(files.exists("/state/rollouts/r02.lock"))
        XCTAssertTrue(files.exists("/state/rollouts/r06.lock"))
        XCTAssertEqual(store.prune(keep: 50), [])
    }

    func testRoundTripAndTouchedHosts() {
        var journal = Self.journal(id: "r1", hosts: ["pi", "a", "b"], batch: 5)
        journal.record("pi", .healthy)
        journal.record("a", .upgrading, note: "pushing")
        XCTAssertEqual(journal.touched, ["pi", "a"])
        let restored = RolloutJournal(json: journal.json)
        XCTAssertEqual(restored, journal)
        XCTAssertNil(RolloutJournal(json: ["id": "x"]))
    }

    func testSettingsServiceStateAndFailuresSurviveTheRoundTrip() {
        var journal = Self.journal(id: "r2", hosts: ["pi", "a"], batch: 1)
        journal.settings = .init(artifact: "/builds/agent-runner-{arch}", bakeS: 12.5, maxFailures: 2, rollback: false)
        journal.serviceActiveBefore = ["pi": true, "a": false]
        journal.record("pi", .failed, note: "smoke failed")
        journal.currentStage = 1
        XCTAssertEqual(journal.failures, 1)
        let restored = RolloutJournal(json: journal.json)
        XCTAssertEqual(restored, journal)
        XCTAssertEqual(restored?.settings.bakeS, 12.5)
        XCTAssertEqual(restored?.serviceActiveBefore["a"], false)
        journal.settings = .init(artifact: "http://builds.lan/ar/agent-runner-{version}-{arch}", releaseSource: true)
        XCTAssertEqual(RolloutJournal(json: journal.json)?.settings.releaseSource, true, "resume fetches from it again")
    }

    /// A host the upgrade never reached counts as a failure but is not touched: nothing there
    /// changed, so nothing is rolled back (and an unreachable host is not a failed rollback).
    func testUnreachedHostsFailButAreNotTouched() {
        var journal = Self.journal(id: "r3", hosts: ["pi", "a", "dead"], batch: 5)
        journal.record("pi", .healthy)
        journal.record("a", .failed, note: "smoke failed")
        journal.record("dead", .unreached, note: "connection refused")
        XCTAssertEqual(journal.failures, 2)
        XCTAssertEqual(journal.touched, ["pi", "a"])
        XCTAssertEqual(RolloutJournal(json: journal.json)?.hosts["dead"], .unreached)
    }

    /// A host whose rollback failed (unreachable while it rebooted) stays touched, so `--abort`
    /// rolls it back once it is up again; rolled-back and pending hosts are done with.
    func testAFailedRollbackStaysTouchedForAbort() {
        var journal = Self.journal(id: "r4", hosts: ["pi", "a", "b"], batch: 5)
        journal.record("pi", .rollbackFailed, note: "could not be reached to roll back")
        journal.record("a", .rolledBack)
        XCTAssertEqual(journal.touched, ["pi"])
    }
}
