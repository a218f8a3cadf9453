import FleetCore
import XCTest

@testable import AgentRunnerCore

/// Each lifecycle event's payload is byte for byte what the upgrader wrote before the events
/// became types (the literals below are the old call sites'), including the 200-character cut of
/// failure reasons and `duration_s` in whole milliseconds.
final class LifecycleEventsTests: XCTestCase {
    let long = String(repeating: "x", count: 250)

    func assertWritten(
        _ event: some TypedEvent, as literal: JSONObject, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertEqual(event.payload, literal, file: file, line: line)
        let writer = JSONWriter(style: .python)
        XCTAssertEqual(writer.string(.object(event.payload)), writer.string(.object(literal)), file: file, line: line)
    }

    func testPackageUpgraded() {
        assertWritten(
            PackageUpgraded(fromVersion: "0.1.0", toVersion: "0.2.0"),
            as: JSONObject([
                ("from_version", .string("0.1.0")), ("to_version", .string("0.2.0")), ("restart_deferred", .bool(true)),
            ]))
    }

    func testServiceUpgraded() {
        assertWritten(
            ServiceUpgraded(fromVersion: "0.1.0", toVersion: "0.2.0", duration: .nanoseconds(2_345_678_901)),
            as: JSONObject([
                ("from_version", .string("0.1.0")), ("to_version", .string("0.2.0")),
                ("duration_s", .double(2.345)),
            ]))
    }

    func testUpgradeStartFailed() {
        assertWritten(
            UpgradeStartFailed(toVersion: "0.2.0", failureReason: long, remedy: "systemctl --user status u"),
            as: JSONObject([
                ("to_version", .string("0.2.0")), ("failure_reason", .string(String(long.prefix(200)))),
                ("remedy", .string("systemctl --user status u")),
            ]))
    }

    func testServiceUpgradeRolledBack() {
        assertWritten(
            ServiceUpgradeRolledBack(
                attemptedVersion: "0.2.0", restoredVersion: "0.1.0", failureReason: long,
                duration: .milliseconds(4_000)),
            as: JSONObject([
                ("attempted_version", .string("0.2.0")), ("restored_version", .string("0.1.0")),
                ("failure_reason", .string(String(long.prefix(200)))), ("duration_s", .double(4.0)),
            ]))
    }

    func testServiceUpgradeRollbackFailed() {
        assertWritten(
            ServiceUpgradeRollbackFailed(
                attemptedVersion: "0.2.0", restoreTargetVersion: "0.1.0",
                failureReason: "boom"),
            as: JSONObject([
                ("attempted_version", .string("0.2.0")), ("restore_target_version", .string("0.1.0")),
                ("failure_reason", .string("boom")),
            ]))
    }

    func testUpgradeRecovered() {
        let record = UpgradeRecord(
            fromVersion: "0.1.0", toVersion: "0.2.0", path: .pidFile, step: .rollingBack,
            restartsService: true, newlyInstalled: false, pid: 4242, startedAt: "")
        for (action, name) in [
            (UpgradeRecovery.completed, "completed"), (.finish, "finished"),
            (.restore(switchLink: true), "restored"),
        ] {
            assertWritten(
                UpgradeRecovered(record: record, action: action),
                as: JSONObject([
                    ("from_version", .string("0.1.0")), ("to_version", .string("0.2.0")),
                    ("step", .string("rolling_back")),
                    ("action", .string(name)), ("interrupted_pid", .int(4242)),
                ]))
        }
    }

    func testTheCatalogueHoldsEveryLifecycleKindOnce() {
        XCTAssertEqual(
            LifecycleEvents.all.map { $0.kind.rawValue },
            [
                "package_upgraded", "service_upgraded", "upgrade_start_failed", "service_upgrade_rolled_back",
                "service_upgrade_rollback_failed", "upgrade_recovered",
            ])
        XCTAssertEqual(
            ServiceUpgradeRolledBack.schema.payloadText,
            "`attempted_version:str`, `restored_version:str`, `failure_reason:str`, `duration_s:float`")
    }
}
