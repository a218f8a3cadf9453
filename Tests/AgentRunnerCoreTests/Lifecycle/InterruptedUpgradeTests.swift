import FleetCore
import Foundation
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// The next `agent-runner upgrade` brings an interrupted one to an end first, from the record it
/// left: each `upgrade_recovered` action, with the service and the link it leaves.
final class InterruptedUpgradeTests: XCTestCase {
    func bench(installed: [String], unitState: String) throws -> UpgradeBench {
        let bench = try UpgradeBench(installed: installed, unitState: unitState)
        addTeardownBlock { bench.cleanUp() }
        return bench
    }

    func interrupted(_ step: UpgradeRecord.Step, in bench: UpgradeBench) throws {
        try bench.store.writeUpgradeRecord(
            UpgradeRecord(
                fromVersion: "1.0.0", toVersion: "1.1.0", path: .systemdUser, step: step, restartsService: true,
                newlyInstalled: true, pid: 4242, startedAt: "2026-11-18T09:00:00.000Z"))
    }

    func recovered(_ action: String, step: String) -> JSONObject {
        [
            "from_version": "1.0.0", "to_version": "1.1.0", "step": .string(step), "action": .string(action),
            "interrupted_pid": 4242,
        ]
    }

    func said(_ bench: UpgradeBench) -> [String] {
        bench.said.split(separator: "\n").map(String.init)
    }

    func interruptedLine(_ step: String, _ linked: String) -> String {
        "agent-runner: an upgrade 1.0.0 → 1.1.0 was interrupted (pid 4242, started 2026-11-18T09:00:00.000Z, at step "
            + "'\(step)'; ROOT/bin/agent-runner runs \(linked)); bringing it to an end first"
    }

    func testACommittedUpgradeOnlyLosesItsRecord() throws {
        let bench = try bench(installed: ["1.1.0", "1.0.0"], unitState: "active")
        try bench.store.writeState(VersionStore.State(current: "1.1.0", previous: "1.0.0"))
        try interrupted(.switched, in: bench)

        let outcome = try bench.upgrader().run(.init(.switchTo("1.1.0")))

        XCTAssertEqual(outcome.kind, .unchanged)
        XCTAssertEqual(
            said(bench),
            [
                interruptedLine("switched", "1.1.0"),
                "agent-runner: it had completed: 1.1.0 is current",
                "agent-runner: already at 1.1.0 (ROOT/bin/agent-runner); nothing to do",
            ])
        XCTAssertEqual(try bench.events().map(\.payload), [recovered("completed", step: "switched")])
        XCTAssertEqual(bench.manager.actions, [], "the service was not touched")
        XCTAssertNil(try bench.store.readUpgradeRecord())
    }

    func testAnUpgradeCutAfterTheSwitchIsCheckedAgainAndFinished() throws {
        // The host rebooted into the new build: bin_link runs it, state.json does not know yet.
        let bench = try bench(installed: ["1.1.0", "1.0.0"], unitState: "active")
        try bench.store.writeState(VersionStore.State(current: "1.0.0"))
        try interrupted(.switched, in: bench)

        let outcome = try bench.upgrader().run(.init(.switchTo("1.1.0")))

        XCTAssertEqual(outcome.kind, .unchanged)
        XCTAssertEqual(
            bench.processes.filter { !$0.contains("systemctl") },
            [
                "ROOT/versions/1.1.0/agent-runner --version",
                "ROOT/versions/1.1.0/agent-runner --config ROOT/work/agent-runner.toml peek --json",
            ])
        XCTAssertEqual(bench.clock.sleeps, [.seconds(2)], "the running service is confirmed over the settle time")
        XCTAssertEqual(
            Array(said(bench).prefix(3)),
            [
                interruptedLine("switched", "1.1.0"),
                "agent-runner: finishing it: smoke check of 1.1.0...",
                "agent-runner: finished the upgrade 1.0.0 → 1.1.0 (smoke OK, service running on it); 1.1.0 is current",
            ])
        XCTAssertEqual(try bench.events().map(\.payload), [recovered("finished", step: "switched")])
        XCTAssertEqual(try bench.stateFile().current, "1.1.0")
        XCTAssertEqual(try bench.stateFile().previous, "1.0.0")
        XCTAssertEqual(bench.manager.actions, [])
    }

    func testAnUpgradeCutWhileTheServiceWasStoppedIsUndoneAndTheServiceStarted() throws {
        let bench = try bench(installed: ["1.0.0", "1.1.0"], unitState: "inactive")
        try interrupted(.started, in: bench)

        let outcome = try bench.upgrader().run(.init(.rollback))

        XCTAssertEqual(
            outcome,
            .init(
                kind: .interruptedUpgradeUndone, path: .systemdUser, fromVersion: "1.1.0",
                toVersion: "1.0.0", exitCode: 0))
        XCTAssertEqual(
            said(bench),
            [
                interruptedLine("started", "1.0.0"),
                "agent-runner: started agent-runner@demo.service",
                "agent-runner: restored 1.0.0: ROOT/bin/agent-runner → ROOT/versions/1.0.0/agent-runner; "
                    + "service started on it",
                "agent-runner: the interrupted upgrade is undone: ROOT/bin/agent-runner runs 1.0.0; "
                    + "not rolling back further (run 'agent-runner upgrade --rollback' again for that)",
            ])
        XCTAssertEqual(bench.manager.actions, ["systemctl --user start agent-runner@demo.service"])
        XCTAssertEqual(bench.clock.sleeps, [.seconds(2)])
        XCTAssertEqual(try bench.events().map(\.payload), [recovered("restored", step: "started")])
        XCTAssertEqual(bench.linkedVersion, "1.0.0")
        XCTAssertTrue(bench.store.isInstalled("1.1.0"), "a build that never failed stays installed")
    }

    func testANewBuildThatNoLongerStartsIsUndoneInsteadOfFinished() throws {
        let bench = try bench(installed: ["1.0.0"], unitState: "inactive")
        try bench.preinstall("1.1.0", "serve=dies")
        try bench.store.switchLink(to: "1.1.0")
        try interrupted(.switched, in: bench)

        let outcome = try bench.upgrader().run(.init(.rollback))

        XCTAssertEqual(outcome.kind, .interruptedUpgradeUndone)
        XCTAssertEqual(
            bench.manager.actions,
            [
                "systemctl --user start agent-runner@demo.service",  // on 1.1.0: up, then failed
                "systemctl --user start agent-runner@demo.service",  // on 1.0.0 again
            ])
        XCTAssertEqual(bench.clock.sleeps, [.seconds(2), .seconds(2)])
        XCTAssertTrue(
            bench.said.contains(
                "agent-runner: 1.1.0 does not pass now (it exited within 2 s of starting "
                    + "(mode systemd_user)); going back to 1.0.0\n"), bench.said)
        XCTAssertEqual(try bench.events().map(\.payload), [recovered("restored", step: "switched")])
        XCTAssertEqual(bench.linkedVersion, "1.0.0")
        XCTAssertEqual(try bench.stateFile().current, "1.0.0")
        XCTAssertNil(try bench.store.readUpgradeRecord())
    }
}
