import FleetCore
import XCTest

@testable import Detectors

final class DetectorSuiteTests: XCTestCase {
    private typealias F = Fixtures

    private struct Broken: Error, CustomStringConvertible {
        var description: String { "division by zero" }
    }

    private struct ThrowingDetector: Detector {
        let name = "hung"
        func detect(_ observation: HostObservation, settings: DetectorSettings) throws -> [Alert] { throw Broken() }
    }

    private struct FloodingDetector: Detector {
        let name = "rate_limit_active"
        func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
            (0..<100).map { Alert(detector: name, severity: .warning, message: "m", key: "k\($0)") }
        }
    }

    private let fullDisk = Fixtures.observation(system: [SystemSample(diskUsedPct: 97)])

    func testCatalogueCoversEveryAlertKindInTheOriginalsOrder() {
        XCTAssertEqual(DetectorSuite.catalogue.map(\.name), DetectorNames.all.filter { $0 != "monitor_remote_giveup" })
    }

    func testAFailingDetectorIsIsolated() {
        let suite = DetectorSuite(detectors: [ThrowingDetector(), DiskCriticalDetector()])
        let report = suite.run(fullDisk, settings: DetectorSettings())
        XCTAssertEqual(report.alerts.map(\.detector), ["disk_critical"])
        XCTAssertEqual(report.errors, [DetectorFailure(detector: "hung", message: "Broken: division by zero")])
        XCTAssertEqual(
            report.errors.first.map { DetectorErrorEvent($0).payload },
            ["detector": "hung", "error": "Broken: division by zero"])
    }

    func testDisabledDetectorsDoNotRun() {
        let report = DetectorSuite.run(
            fullDisk,
            policy: {
                var p = DetectorPolicy()
                p.disabled = ["disk_critical"]
                return p
            }())
        XCTAssertEqual(report.alerts, [])
        let thrower = DetectorSuite(detectors: [ThrowingDetector()])
        XCTAssertEqual(thrower.run(fullDisk, settings: F.settings { $0.disabled = ["hung"] }), DetectorReport())
    }

    func testAlertsPerDetectorAreCapped() {
        let report = DetectorSuite(detectors: [FloodingDetector()]).run(F.observation(), settings: DetectorSettings())
        XCTAssertEqual(report.alerts.count, DetectorSuite.maxAlertsPerDetector)
    }

    func testEmptyObservationRaisesNothing() {
        XCTAssertEqual(DetectorSuite.run(F.observation(), policy: DetectorPolicy()), DetectorReport())
    }
}
