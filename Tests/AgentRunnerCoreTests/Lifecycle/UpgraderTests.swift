import FleetCore
import Foundation
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// The upgrader's paths on a fake clock, a scripted systemd user manager and stand-in builds:
/// the exact commands, waits, messages and events of each, in milliseconds.
final class UpgraderTests: XCTestCase {
    let unit = "ROOT/tools/systemctl --user"
    let isActive = "ROOT/tools/systemctl --user is-active agent-runner@demo.service"

    func bench(
        installed: [String] = ["1.0.0"], unitState: String = "active", stopDrain: Duration = .zero
    ) throws
        -> UpgradeBench
    {
        let bench = try UpgradeBench(installed: installed, unitState: unitState, stopDrain: stopDrain)
        addTeardownBlock { bench.cleanUp() }
        return bench
    }

    func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }

    func testAGoodBuildIsStoppedIntoSmokedSwitchedStartedAndConfirmed() throws {
        let bench = try bench(stopDrain: .milliseconds(500))
        let build = try bench.newBuild("1.1.0")
        let digest = SHA256.hex(of: Array(bench.build("1.1.0").utf8))

        let outcome = try bench.upgrader().run(bench.install(build))

        XCTAssertEqual(
            outcome,
            .init(
                kind: .serviceUpgraded, path: .systemdUser, fromVersion: "1.0.0",
                toVersion: "1.1.0", exitCode: 0))
        XCTAssertEqual(
            bench.processes,
            [
                "<staged> --version",
                isActive,  // which path
                isActive, "\(unit) --no-block stop agent-runner@demo.service",
                isActive, isActive, isActive, isActive,  // draining 0.5 s, asked every 0.2 s
                "ROOT/versions/1.1.0/agent-runner --version",
                "ROOT/versions/1.1.0/agent-runner --config ROOT/work/agent-runner.toml peek --json",
                isActive, "\(unit) start agent-runner@demo.service", isActive, isActive,
                isActive,  // still up after the settle time
            ])
        XCTAssertEqual(bench.clock.sleeps, [.milliseconds(200), .milliseconds(200), .milliseconds(200), .seconds(2)])
        XCTAssertEqual(
            lines(bench.said),
            [
                "agent-runner: staged 1.1.0 (sha256 \(digest.prefix(12))...) as ROOT/versions/1.1.0/agent-runner",
                "agent-runner: stopping service...",
                "agent-runner: stopped (600 ms)",
                "agent-runner: smoke check (--version + peek --json)...",
                "agent-runner: smoke OK (now at 1.1.0)",
                "agent-runner: starting service...",
                "agent-runner: started agent-runner@demo.service",
                "agent-runner: started (2 s)",
                "agent-runner: upgraded 1.0.0 → 1.1.0 (2.6 s total)",
            ])
        let events = try bench.events()
        XCTAssertEqual(events.map(\.kind), ["service_upgraded"])
        XCTAssertEqual(events.first?.payload, ["from_version": "1.0.0", "to_version": "1.1.0", "duration_s": 2.6])
        XCTAssertEqual(bench.linkedVersion, "1.1.0")
        XCTAssertEqual(try bench.stateFile().current, "1.1.0")
        XCTAssertEqual(try bench.stateFile().previous, "1.0.0")
        XCTAssertNil(try bench.store.readUpgradeRecord(), "no upgrade record left")
    }

    func testABadBuildIsNeverSwitchedInAndTheOldOneRunsAgain() throws {
        let bench = try bench()
        let build = try bench.newBuild("1.1.0", "smoke=fail")

        let outcome = try bench.upgrader().run(bench.install(build))

        XCTAssertEqual(
            outcome,
            .init(
                kind: .rolledBack, path: .systemdUser, fromVersion: "1.0.0", toVersion: "1.1.0",
                exitCode: 1))
        XCTAssertEqual(
            bench.manager.actions,
            [
                "systemctl --user --no-block stop agent-runner@demo.service",
                "systemctl --user start agent-runner@demo.service",
            ])
        XCTAssertEqual(
            bench.processes.filter { !$0.hasPrefix(unit) },
            [
                "<staged> --version",
                "ROOT/versions/1.1.0/agent-runner --version",
                "ROOT/versions/1.1.0/agent-runner --config ROOT/work/agent-runner.toml peek --json",
                "ROOT/versions/1.0.0/agent-runner --version",  // the old build is checked before it is started
            ])
        let failure =
            "'agent-runner --config ROOT/work/agent-runner.toml peek --json' failed (exit 1): "
            + "boom: agent-runner 1.1.0 cannot read agent-runner.toml"
        XCTAssertEqual(
            Array(lines(bench.said).dropFirst()),
            [
                "agent-runner: stopping service...",
                "agent-runner: stopped (0 ms)",
                "agent-runner: smoke check (--version + peek --json)...",
                "agent-runner: smoke failed at 1.1.0: \(failure)",
                "agent-runner: rolling back to 1.0.0...",
                "agent-runner: started agent-runner@demo.service",
                "agent-runner: upgrade 1.0.0 → 1.1.0 failed; restored 1.0.0 (service running)",
            ])
        let events = try bench.events()
        XCTAssertEqual(events.map(\.kind), ["service_upgrade_rolled_back"])
        XCTAssertEqual(
            events.first?.payload,
            [
                "attempted_version": "1.1.0", "restored_version": "1.0.0",
                "failure_reason": .string(failure.replacingOccurrences(of: "ROOT", with: bench.root)),
                "duration_s": 2.0,
            ])
        XCTAssertEqual(bench.linkedVersion, "1.0.0", "the link never moved")
        XCTAssertFalse(bench.store.isInstalled("1.1.0"), "the bad build is not kept")
        XCTAssertEqual(try bench.stateFile().versions.map(\.version), ["1.0.0"])
        XCTAssertNil(try bench.store.readUpgradeRecord())
    }

    func testABadBuildWithNothingRunningChangesNothing() throws {
        let bench = try bench(unitState: "inactive")
        let build = try bench.newBuild("1.1.0", "smoke=fail")

        let outcome = try bench.upgrader().run(bench.install(build))

        XCTAssertEqual(
            outcome,
            .init(
                kind: .smokeFailed, path: .packageOnly, fromVersion: "1.0.0", toVersion: "1.1.0",
                exitCode: 1))
        XCTAssertEqual(bench.manager.actions, [], "the service was not touched")
        XCTAssertEqual(
            Array(lines(bench.said).dropFirst()),
            [
                "agent-runner: package-only upgrade (the service is not running): smoke check of 1.1.0...",
                "agent-runner: package smoke failed at 1.1.0 ('agent-runner --config ROOT/work/agent-runner.toml "
                    + "peek --json' failed (exit 1): boom: agent-runner 1.1.0 cannot read agent-runner.toml); "
                    + "nothing switched, ROOT/bin/agent-runner still runs 1.0.0; service untouched",
            ])
        XCTAssertEqual(try bench.events().map(\.kind), [])
        XCTAssertEqual(bench.linkedVersion, "1.0.0")
        XCTAssertFalse(bench.store.isInstalled("1.1.0"))
        XCTAssertEqual(bench.clock.sleeps, [])
    }

    func testABuildThatDiesAfterTheSwitchIsRolledBack() throws {
        let bench = try bench()
        let build = try bench.newBuild("1.1.0", "serve=dies")

        let outcome = try bench.upgrader().run(bench.install(build))

        XCTAssertEqual(
            outcome,
            .init(
                kind: .rolledBack, path: .systemdUser, fromVersion: "1.0.0", toVersion: "1.1.0",
                exitCode: 1))
        XCTAssertEqual(
            bench.manager.actions,
            [
                "systemctl --user --no-block stop agent-runner@demo.service",
                "systemctl --user start agent-runner@demo.service",  // the new build: up, then failed
                "systemctl --user start agent-runner@demo.service",  // the old build again
            ])
        XCTAssertEqual(bench.clock.sleeps, [.seconds(2), .seconds(2)], "each start is confirmed after the settle time")
        let exited = "it exited within 2 s of starting (mode systemd_user)"
        XCTAssertTrue(
            bench.said.contains(
                "agent-runner: upgraded to 1.1.0 but the service did not start (\(exited)); "
                    + "inspect: systemctl --user status agent-runner@demo.service\n"), bench.said)
        let events = try bench.events()
        XCTAssertEqual(events.map(\.kind), ["upgrade_start_failed", "service_upgrade_rolled_back"])
        XCTAssertEqual(
            events.first?.payload,
            [
                "to_version": "1.1.0", "failure_reason": .string(exited),
                "remedy": "systemctl --user status agent-runner@demo.service",
            ])
        XCTAssertEqual(
            events.last?.payload,
            [
                "attempted_version": "1.1.0", "restored_version": "1.0.0",
                "failure_reason": .string("service did not start on 1.1.0: \(exited)"), "duration_s": 4.0,
            ])
        XCTAssertEqual(bench.linkedVersion, "1.0.0", "switched back")
        XCTAssertFalse(bench.store.isInstalled("1.1.0"))
        XCTAssertEqual(try bench.stateFile().current, "1.0.0")
        XCTAssertNil(try bench.store.readUpgradeRecord())
    }

    func testAFailedRollbackSaysCriticalAndKeepsTheRecord() throws {
        let bench = try bench(installed: [])
        try bench.preinstall("1.0.0", "serve=dies")
        try bench.store.switchLink(to: "1.0.0")
        try bench.store.writeState(VersionStore.State(current: "1.0.0"))
        let build = try bench.newBuild("1.1.0", "serve=dies")

        let outcome = try bench.upgrader().run(bench.install(build))

        XCTAssertEqual(
            outcome,
            .init(
                kind: .rollbackFailed, path: .systemdUser, fromVersion: "1.0.0",
                toVersion: "1.1.0", exitCode: 2))
        let exited = "it exited within 2 s of starting (mode systemd_user)"
        let failure = "service did not start on 1.1.0: \(exited); rollback: \(exited)"
        XCTAssertEqual(
            lines(bench.said).last,
            "agent-runner: CRITICAL: upgrade rollback failed; the service is "
                + "STOPPED. Manual intervention required: check ROOT/bin/agent-runner points at "
                + "ROOT/versions/1.0.0/agent-runner, then: systemctl --user restart agent-runner@demo.service; or run "
                + "'agent-runner upgrade --rollback' again once the cause is fixed "
                + "(ROOT/versions/upgrade-in-progress.json says where this one stopped). (\(failure))")
        let events = try bench.events()
        XCTAssertEqual(events.map(\.kind), ["upgrade_start_failed", "service_upgrade_rollback_failed"])
        XCTAssertEqual(
            events.last?.payload,
            [
                "attempted_version": "1.1.0", "restore_target_version": "1.0.0", "failure_reason": .string(failure),
            ])
        XCTAssertEqual(try bench.store.readUpgradeRecord()?.step, .rollingBack, "the next run finishes the rollback")
        XCTAssertEqual(bench.linkedVersion, "1.0.0")
        XCTAssertTrue(bench.store.isInstalled("1.1.0"), "kept until the rollback is done")
    }

    func testOneUpgradeAtATime() throws {
        let bench = try bench()
        let build = try bench.newBuild("1.1.0")
        let held = try bench.store.lock()
        defer { held.release() }

        XCTAssertThrowsError(try bench.upgrader().run(bench.install(build))) { error in
            XCTAssertEqual(
                error as? LifecycleError,
                LifecycleError(
                    "another agent-runner upgrade (pid \(getpid())) is running on \(bench.root)/versions; "
                        + "wait for it to finish, then run this again"))
        }
        XCTAssertEqual(bench.processes, [], "nothing was run")
        XCTAssertEqual(bench.linkedVersion, "1.0.0")
        XCTAssertFalse(bench.store.isInstalled("1.1.0"))
    }

    func testARollbackWithoutAPreviousVersionIsRefusedBeforeAnythingHappens() throws {
        let bench = try bench()
        XCTAssertThrowsError(try bench.upgrader().run(.init(.rollback))) { error in
            XCTAssertEqual(
                (error as? LifecycleError)?.message,
                "no previous version to roll back to (\(bench.root)/versions/state.json records previous: "
                    + "none); use --target X.Y.Z with an installed version")
        }
        XCTAssertEqual(bench.processes, [])
    }
}
