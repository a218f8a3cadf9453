import FleetCore
import XCTest

@testable import Detectors

final class AlertTrackerTests: XCTestCase {
    private typealias F = Fixtures

    private let disk = Alert(
        detector: "disk_critical", severity: .critical, message: "disk_used_pct 96.0 >= 95.0 — auto-stopping service",
        context: ["value": 96.0], requestsStop: true)
    private let hung7 = Alert(
        detector: "hung", severity: .warning, message: "Round 7 started 2701s ago with no round_end",
        key: "hung:round_num=7")

    func testFiresOnceThenStaysQuiet() {
        var tracker = AlertTracker()
        XCTAssertEqual(tracker.record(.measured([disk, hung7]), at: F.instant(0)), [.fired(disk), .fired(hung7)])
        var hungLater = hung7
        hungLater.message = "Round 7 started 2731s ago with no round_end"
        XCTAssertEqual(
            tracker.record(.measured([disk, hungLater]), at: F.instant(30)), [], "no duplicate notification")
        XCTAssertEqual(tracker.firing.map(\.alert.message), [disk.message, hungLater.message], "content refreshed")
        XCTAssertEqual(tracker.firing.map(\.since), [F.instant(0), F.instant(0)])
    }

    func testResolvesAndReArms() {
        var tracker = AlertTracker()
        _ = tracker.record(.measured([disk, hung7]), at: F.instant(0))
        XCTAssertEqual(tracker.record(.measured([hung7]), at: F.instant(30)), [.resolved(disk)])
        XCTAssertFalse(tracker.isFiring(disk.key))
        XCTAssertEqual(
            tracker.record(.measured([disk, hung7]), at: F.instant(60)), [.fired(disk)], "a recurrence is a new episode"
        )
        XCTAssertEqual(tracker.firing.first { $0.key == disk.key }?.since, F.instant(60))
    }

    func testResolutionsComeBeforeFirings() {
        var tracker = AlertTracker()
        let chain3 = Alert(detector: "orphan_chain", severity: .warning, message: "3", key: "orphan_chain:last_round=3")
        let chain4 = Alert(detector: "orphan_chain", severity: .warning, message: "4", key: "orphan_chain:last_round=4")
        _ = tracker.record(.measured([chain3]), at: F.instant(0))
        XCTAssertEqual(tracker.record(.measured([chain4]), at: F.instant(30)), [.resolved(chain3), .fired(chain4)])
    }

    func testUnreachablePollKeepsStateAndAddsExtras() {
        var tracker = AlertTracker()
        _ = tracker.record(.measured([disk]), at: F.instant(0))
        XCTAssertEqual(tracker.record(.unreachable(extra: []), at: F.instant(30)), [], "no spurious resolve")
        XCTAssertTrue(tracker.isFiring(disk.key))
        let giveUp = RemoteGiveUp(
            totalAttempts: 6, totalElapsedS: 91, capS: 90,
            finalError: RemoteFailure(returncode: 255, stderrTail: "refused")
        ).alert(host: "pi")
        XCTAssertEqual(tracker.record(.unreachable(extra: [giveUp]), at: F.instant(60)), [.fired(giveUp)])
        XCTAssertEqual(tracker.record(.unreachable(extra: [giveUp]), at: F.instant(90)), [])
        XCTAssertEqual(tracker.record(.measured([disk]), at: F.instant(120)), [.resolved(giveUp)])
    }

    func testDuplicateKeysInOnePollFireOnce() {
        var tracker = AlertTracker()
        XCTAssertEqual(tracker.record(.measured([disk, disk]), at: F.instant(0)), [.fired(disk)])
        XCTAssertEqual(tracker.firing.count, 1)
    }

    func testCapacityBoundsTheState() {
        var tracker = AlertTracker(capacity: 3)
        let alerts = (0..<5).map {
            Alert(detector: "rate_limit_active", severity: .warning, message: "m", key: "k\($0)")
        }
        XCTAssertEqual(tracker.record(.measured(alerts), at: F.instant(0)).count, 3)
        XCTAssertEqual(tracker.firing.map(\.key), ["k0", "k1", "k2"])
        XCTAssertEqual(
            tracker.record(.measured(alerts), at: F.instant(30)), [],
            "the untracked overflow does not re-fire every poll")
    }

    func testRearmLetsADrainingStopActAgain() {
        var tracker = AlertTracker()
        _ = tracker.record(.measured([disk]), at: F.instant(0))
        XCTAssertTrue(tracker.rearm(disk.key))
        XCTAssertFalse(tracker.rearm(disk.key))
        XCTAssertEqual(tracker.record(.measured([disk]), at: F.instant(30)), [.fired(disk)])
    }

    func testPersistAndRestoreAfterARestartDoesNotReNotify() throws {
        var tracker = AlertTracker()
        _ = tracker.record(.measured([disk, hung7]), at: F.instant(0))
        let text = JSONWriter().string(tracker.toJSON())
        var restored = try AlertTracker(json: try JSONParser.strict.parse(text))
        XCTAssertEqual(restored, tracker)
        XCTAssertEqual(restored.record(.measured([disk, hung7]), at: F.instant(30)), [])
        XCTAssertEqual(restored.record(.measured([hung7]), at: F.instant(60)), [.resolved(disk)])
    }

    func testCorruptStateThrowsWithTheReason() {
        let cases: [(JSONValue, String)] = [
            ([1], "not a JSON object"),
            (["version": 2, "firing": []], "unsupported version 2"),
            (["version": 1], "'firing' must be an array"),
            (["version": 1, "firing": [["key": "k"]]], "firing[0] is malformed"),
        ]
        for (document, reason) in cases {
            XCTAssertThrowsError(try AlertTracker(json: document)) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(error)")
            }
        }
    }
}
