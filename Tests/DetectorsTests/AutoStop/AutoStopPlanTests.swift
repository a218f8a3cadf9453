import FleetCore
import XCTest

@testable import Detectors

final class AutoStopPlanTests: XCTestCase {
    private let oauth = Alert(detector: "oauth_fail", severity: .critical, message: "10/10", requestsStop: true)
    private let disk = Alert(detector: "disk_critical", severity: .critical, message: "96", requestsStop: true)
    private let warning = Alert(detector: "disk_warning", severity: .warning, message: "91")

    func testDefaultPolicyStopsForOAuthAndDisk() {
        let plan = AutoStopPlan(fired: [warning, oauth, disk], policy: AutoStopPolicy())
        XCTAssertTrue(plan.stopRequested)
        XCTAssertEqual(plan.triggers, [oauth, disk])
        XCTAssertEqual(
            plan.entries.map(\.verdict), [.stopRequested, .stopRequested], "alerts without a stop request have no entry"
        )
    }

    func testDetectorNotListed() {
        var policy = AutoStopPolicy()
        policy.on = ["disk_critical"]
        let plan = AutoStopPlan(fired: [oauth], policy: policy)
        XCTAssertFalse(plan.stopRequested)
        XCTAssertEqual(plan.entries.map(\.verdict), [.notAllowed(.detectorNotListed)])
        XCTAssertEqual(plan.triggers, [])
    }

    func testPolicyDisabled() {
        var policy = AutoStopPolicy()
        policy.enabled = false
        XCTAssertEqual(
            AutoStopPlan(fired: [oauth, disk], policy: policy).entries.map(\.verdict),
            [.notAllowed(.autoStopDisabled), .notAllowed(.autoStopDisabled)])
    }

    func testListedDetectorThatDoesNotAskForAStop() {
        var policy = AutoStopPolicy()
        policy.on = ["disk_warning"]
        XCTAssertFalse(AutoStopPlan(fired: [warning], policy: policy).stopRequested)
    }

    func testOnlyNewFiringsCount() {
        let transitions: [AlertTransition] = [.resolved(disk), .fired(oauth)]
        XCTAssertEqual(AutoStopPlan(transitions: transitions, policy: AutoStopPolicy()).triggers, [oauth])
        XCTAssertFalse(AutoStopPlan(transitions: [.resolved(oauth)], policy: AutoStopPolicy()).stopRequested)
    }
}
