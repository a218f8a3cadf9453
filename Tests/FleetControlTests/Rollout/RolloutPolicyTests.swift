import FleetCore
import XCTest

@testable import FleetControl

/// The decisions `fleetctl upgrade` makes around a rollout, as values: who owns a host, what a
/// new journal records before anything is touched, how a rollout's end maps to an exit code.
final class RolloutPolicyTests: XCTestCase {
    private func journal(_ id: String, hosts: [String], status: RolloutJournal.Status) -> RolloutJournal {
        var journal = RolloutJournalTests.journal(id: id, hosts: hosts, batch: 5)
        journal.status = status
        return journal
    }

    func testARunningRolloutOwnsItsHostsUntilItEnds() {
        let journals = [
            journal("r1", hosts: ["pi", "a"], status: .finished),
            journal("r2", hosts: ["b", "c", "pi"], status: .running),
            journal("r3", hosts: ["c"], status: .running),
        ]
        let conflict = RolloutOwnership.conflict(for: ["pi", "c", "d"], among: journals)
        XCTAssertEqual(
            conflict, .init(rollout: "r2", target: "0.2.0", hosts: ["c", "pi"]),
            "the oldest running one, shared hosts sorted")
        XCTAssertEqual(
            conflict?.description,
            "rollout r2 to 0.2.0 is still running on c, pi; wait for the fleetctl running it, "
                + "or finish it with fleetctl upgrade --resume r2, "
                + "or roll it back with fleetctl upgrade --abort r2")
        XCTAssertNil(RolloutOwnership.conflict(for: ["a", "d"], among: journals), "finished rollouts own nothing")
        XCTAssertNil(RolloutOwnership.conflict(for: ["pi"], among: []))
    }

    func testANewJournalRecordsHowThePlannedHostsWereBefore() {
        let plan = RolloutPlanner.plan(
            candidates: [
                RolloutCandidate(name: "pi", version: "0.1.0", reachable: true),
                RolloutCandidate(name: "a", version: "0.2.0", reachable: true),
                RolloutCandidate(name: "b", version: "0.1.0", reachable: true),
            ], target: "0.2.0", canary: ["pi"], batch: .count(5))
        let settings = RolloutJournal.Settings(artifact: "/b/agent-runner", bakeS: 60, maxFailures: 1, rollback: false)
        let probes: [(host: String, answer: RolloutHostProbe.Answer)] = [
            ("pi", .init(reachable: true, version: "0.1.0", serviceActive: true, criticalAlerts: ["disk_critical"])),
            ("a", .init(reachable: true, version: "0.2.0", serviceActive: true)),
            ("b", .init(reachable: true, version: "0.1.0", serviceActive: nil)),
        ]
        let journal = RolloutJournal(
            id: "r9", plan: plan, createdAt: "2026-11-25T00:00:00.000Z", settings: settings,
            before: probes)
        XCTAssertEqual(journal.settings, settings)
        XCTAssertEqual(
            journal.serviceActiveBefore, ["pi": true, "b": false],
            "unknown is not running; a is not planned")
        XCTAssertEqual(journal.criticalBefore, ["pi": ["disk_critical"], "b": []])
        XCTAssertEqual(journal.hosts, ["pi": .pending, "b": .pending])
        XCTAssertEqual(journal.status, .running)
    }

    func testCandidatesFromProbes() {
        let answer = RolloutHostProbe.Answer(reachable: false, version: nil, error: "refused", upgradeInProgress: true)
        XCTAssertEqual(
            RolloutCandidate(name: "pi", answer: answer),
            RolloutCandidate(
                name: "pi", version: nil, reachable: false, error: "refused",
                upgradeInProgress: true))
    }

    func testExitCodes() {
        var done = journal("r1", hosts: ["pi", "a"], status: .finished)
        done.record("pi", .healthy)
        done.record("a", .healthy)
        XCTAssertEqual(RolloutOutcome.of(done), RolloutOutcome(exitCode: ExitCode.success))
        var tolerated = done
        tolerated.settings.maxFailures = 2
        tolerated.record("a", .unreached)
        tolerated.record("pi", .failed)
        XCTAssertEqual(
            RolloutOutcome.of(tolerated),
            RolloutOutcome(
                exitCode: ExitCode.failure,
                message: "rollout r1 finished with 2 failed hosts (tolerated by --max-failures 2): a, pi"))
        XCTAssertEqual(
            RolloutOutcome.of(journal("r2", hosts: ["pi"], status: .failed)),
            RolloutOutcome(exitCode: ExitCode.failure))
        var aborted = journal("r3", hosts: ["pi", "a"], status: .aborted)
        aborted.record("pi", .rolledBack)
        XCTAssertEqual(RolloutOutcome.ofAbort(aborted).exitCode, ExitCode.success)
        aborted.record("a", .rollbackFailed)
        XCTAssertEqual(RolloutOutcome.ofAbort(aborted).exitCode, ExitCode.failure)
    }

    func testOnlyARunningRolloutResumes() {
        XCTAssertNil(RolloutOutcome.resumeRefusal(journal("r1", hosts: ["pi"], status: .running)))
        XCTAssertEqual(
            RolloutOutcome.resumeRefusal(journal("r1", hosts: ["pi"], status: .finished)),
            "rollout r1 is finished; nothing to resume")
        XCTAssertEqual(
            RolloutOutcome.resumeRefusal(journal("r1", hosts: ["pi"], status: .failed)),
            "rollout r1 is failed; nothing to resume "
                + "(fleetctl upgrade --abort r1 rolls back what it touched)")
    }

    func testPlanJSON() {
        let plan = RolloutPlanner.plan(
            candidates: [
                RolloutCandidate(name: "pi", version: "0.1.0", reachable: true),
                RolloutCandidate(name: "a", version: "0.2.0", reachable: true),
                RolloutCandidate(name: "b", version: nil, reachable: false, error: "timeout"),
            ], target: "0.2.0", canary: ["pi"], batch: .count(5))
        XCTAssertEqual(
            JSONWriter(style: .compact).string(.object(plan.json(dryRun: true))),
            #"{"step":"plan","dry_run":true,"target":"0.2.0","stages":[{"label":"canary","hosts":["pi"]}],"#
                + #""skipped":[{"host":"a","reason":"already_on_target"},"#
                + #"{"host":"b","reason":"unreachable","error":"timeout"}]}"#)
    }
}
