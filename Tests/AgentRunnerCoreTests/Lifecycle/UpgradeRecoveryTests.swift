import FleetCore
import Foundation
import XCTest

@testable import AgentRunnerCore

/// The record an upgrade keeps while it runs, the decision the next upgrade takes about an
/// interrupted one, and the versions_dir housekeeping around them.
final class UpgradeRecoveryTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "upgrade-recovery-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        addTeardownBlock { [root] in try? FileManager.default.removeItem(atPath: root) }
    }

    var store: VersionStore {
        VersionStore(
            versionsDir: root + "/versions", binLink: root + "/bin/agent-runner", keepVersions: 3,
            fileSystem: LocalFileSystem())
    }

    func record(_ step: UpgradeRecord.Step) -> UpgradeRecord {
        UpgradeRecord(
            fromVersion: "1.0.0", toVersion: "1.1.0", path: .pidFile, step: step, restartsService: true,
            newlyInstalled: true,
            pid: 4242, startedAt: "2026-11-25T10:00:00.000Z")
    }

    func plan(
        _ step: UpgradeRecord.Step, linked: String?, current: String?, installed: Set<String> = ["1.0.0", "1.1.0"]
    ) -> UpgradeRecovery {
        UpgradeRecovery.plan(
            record(step), linkedVersion: linked, currentVersion: current, isInstalled: { installed.contains($0) })
    }

    func testInterruptedBeforeTheSwitchGoesBackToTheOldBuild() {
        // Killed while the service was stopped or the smoke ran: the link never moved.
        XCTAssertEqual(plan(.started, linked: "1.0.0", current: "1.0.0"), .restore(switchLink: false))
        // A first upgrade: bin_link was not a link into versions_dir yet.
        XCTAssertEqual(plan(.started, linked: nil, current: "1.0.0"), .restore(switchLink: true))
    }

    func testInterruptedAfterTheSwitchIsFinishedWhenNothingFailed() {
        // Killed while the service was starting on the new build, or the host rebooted into it.
        XCTAssertEqual(plan(.switched, linked: "1.1.0", current: "1.0.0"), .finish)
        // Killed between the switch and rewriting the record: the link says how far it got.
        XCTAssertEqual(plan(.started, linked: "1.1.0", current: "1.0.0"), .finish)
        // The new build is gone (deleted by hand): back to the old one.
        XCTAssertEqual(
            plan(.switched, linked: "1.1.0", current: "1.0.0", installed: ["1.0.0"]), .restore(switchLink: true))
    }

    func testARollbackInProgressIsFinishedNeverUndone() {
        XCTAssertEqual(plan(.rollingBack, linked: "1.1.0", current: "1.0.0"), .restore(switchLink: true))
        XCTAssertEqual(plan(.rollingBack, linked: "1.0.0", current: "1.0.0"), .restore(switchLink: false))
    }

    func testACommittedUpgradeWhoseRecordWasLeftIsComplete() {
        XCTAssertEqual(plan(.switched, linked: "1.1.0", current: "1.1.0"), .completed)
    }

    func testRecordRoundTripIsPrivateAndAtomicAndRefusesGarbage() throws {
        let store = store
        XCTAssertNil(try store.readUpgradeRecord())
        let lock = try store.lock()
        defer { lock.release() }
        try store.writeUpgradeRecord(record(.switched))
        XCTAssertEqual(try store.readUpgradeRecord(), record(.switched))
        let mode =
            (try FileManager.default.attributesOfItem(atPath: store.upgradeRecordPath)[.posixPermissions] as? NSNumber)?
            .intValue
        XCTAssertEqual(mode, 0o600)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: root + "/versions").sorted(),
            ["upgrade-in-progress.json", "upgrade.lock"],
            "no temporary file left")
        let text = try String(contentsOfFile: store.upgradeRecordPath, encoding: .utf8)
        XCTAssertTrue(text.contains(#""step": "switched""#), text)
        XCTAssertNil(
            UpgradeRecord(text: text.replacingOccurrences(of: "1.1.0", with: "../x")), "a version must name a folder")
        try Data("{\"step\": ".utf8).write(to: URL(fileURLWithPath: store.upgradeRecordPath))
        XCTAssertThrowsError(try store.readUpgradeRecord()) { error in
            XCTAssertTrue(
                "\(error)".contains("is not an upgrade record; check that \(self.root)/bin/agent-runner runs"),
                "\(error)")
        }
        store.removeUpgradeRecord()
        XCTAssertNil(try store.readUpgradeRecord())
    }

    func testOneUpgradeAtATime() throws {
        let first = try store.lock()
        XCTAssertThrowsError(try store.lock()) { error in
            XCTAssertEqual(
                (error as? LifecycleError)?.message,
                "another agent-runner upgrade (pid \(getpid())) is running on \(self.root)/versions; wait for it to finish, then run this again"
            )
        }
        first.release()
        XCTAssertNoThrow(try store.lock().release())
    }

    func testHalfWrittenStagingFoldersAreRemoved() throws {
        let store = store
        let staged = try store.stage(Array("#!/bin/sh\necho agent-runner 9.9.9\n".utf8))
        // A writer killed mid-write leaves AtomicFile's temporary file beside it.
        try Data("half".utf8).write(
            to: URL(fileURLWithPath: ConfigPaths.directory(of: staged) + "/.agent-runner.tmp-1-x"))
        try FileManager.default.createDirectory(atPath: root + "/versions/1.0.0", withIntermediateDirectories: true)
        let removed = store.removeStaleStaging()
        XCTAssertEqual(removed, [ConfigPaths.basename(ConfigPaths.directory(of: staged))])
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: root + "/versions"), ["1.0.0"],
            "installed versions stay")
    }
}
