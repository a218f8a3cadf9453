import FleetCore
import XCTest

@testable import Detectors

/// disk_warning, disk_critical, disk_growth.
final class DiskDetectorTests: XCTestCase {
    private typealias F = Fixtures

    private func disk(_ pct: Double) -> HostObservation {
        F.observation(system: [SystemSample(ts: F.ts(0), diskUsedPct: pct)], project: "demo")
    }

    func testWarningBand() throws {
        XCTAssertEqual(F.alerts(DiskWarningDetector(), disk(89.9)), [])
        let alert = try XCTUnwrap(F.alerts(DiskWarningDetector(), disk(90)).first)
        XCTAssertEqual(alert.message, "disk_used_pct 90.0 >= 90.0")
        XCTAssertEqual(alert.severity, .warning)
        XCTAssertEqual(
            alert.context,
            ["value": 90.0, "threshold": 90.0, "hint": "Free space soon — clean ~/.agent-runner/demo/logs/"])
        XCTAssertEqual(F.alerts(DiskWarningDetector(), disk(94.9)).count, 1)
        XCTAssertEqual(F.alerts(DiskWarningDetector(), disk(95)), [], "critical takes over at 95")
    }

    func testCriticalThresholdAsksForStop() throws {
        XCTAssertEqual(F.alerts(DiskCriticalDetector(), disk(94.9)), [])
        let alert = try XCTUnwrap(F.alerts(DiskCriticalDetector(), disk(95)).first)
        XCTAssertEqual(alert.message, "disk_used_pct 95.0 >= 95.0 — auto-stopping service")
        XCTAssertEqual(alert.severity, .critical)
        XCTAssertTrue(alert.requestsStop)
        XCTAssertEqual(
            alert.context, ["value": 95.0, "threshold": 95.0, "hint": "Stop and clean disk before resuming"])
        XCTAssertEqual(
            F.alerts(DiskCriticalDetector(), disk(99.5)).first?.message,
            "disk_used_pct 99.5 >= 95.0 — auto-stopping service")
    }

    func testPolicyPercentages() {
        let settings = F.settings {
            $0.diskWarningPct = 70
            $0.diskCriticalPct = 80
        }
        XCTAssertEqual(F.alerts(DiskWarningDetector(), disk(69.9), settings), [])
        XCTAssertEqual(F.alerts(DiskWarningDetector(), disk(70), settings).count, 1)
        XCTAssertEqual(F.alerts(DiskCriticalDetector(), disk(80), settings).count, 1)
    }

    func testNoSampleNoAlert() {
        XCTAssertEqual(F.alerts(DiskCriticalDetector(), F.observation()), [])
    }

    // MARK: disk_growth

    private func growth(_ samples: [(Double, Double, Double?)]) -> HostObservation {
        F.observation(system: samples.map { SystemSample(ts: F.ts($0.0), diskUsedPct: $0.1, inodeUsedPct: $0.2) })
    }

    func testGrowthAtThreshold() throws {
        // +2.5 points over 30 min = 5.0 %/h.
        let observation = growth([(0, 50, 10), (900, 51, 10), (1800, 52.5, 10)])
        let alert = try XCTUnwrap(F.alerts(DiskGrowthDetector(), observation).first)
        XCTAssertEqual(alert.message, "disk +5.0%/hr (>= 5.0) over the last 1800s")
        XCTAssertEqual(alert.key, "disk_growth")
        XCTAssertEqual(
            alert.context,
            [
                "disk_pct_per_hr": 5.0, "disk_threshold_pct_per_hr": 5.0, "inode_pct_per_hr": 0.0,
                "inode_threshold_pct_per_hr": 5.0, "window_s": 1800,
            ])
    }

    /// Samples seconds apart extrapolate normal disk jitter to huge hourly rates: a baseline
    /// younger than a sixth of the window (5 min) gives no verdict.
    func testGrowthNeedsABaselineAtLeastASixthOfTheWindowOld() {
        XCTAssertTrue(F.alerts(DiskGrowthDetector(), growth([(0, 50, 10), (20, 50.1, 10)])).isEmpty)
        XCTAssertTrue(F.alerts(DiskGrowthDetector(), growth([(0, 50, 10), (299, 51, 10)])).isEmpty)
        XCTAssertFalse(F.alerts(DiskGrowthDetector(), growth([(0, 50, 10), (300, 51, 10)])).isEmpty)
    }

    func testGrowthBelowThresholdAndBaselineIsOldestInWindow() {
        XCTAssertEqual(F.alerts(DiskGrowthDetector(), growth([(0, 50, nil), (1800, 52.4, nil)])), [])
        // The sample at -2 is outside the window: the baseline is the one at 600 (+4 over 20 min = 12 %/h).
        let observation = growth([(-2, 10, nil), (600, 50, nil), (1799, 54, nil)])
        XCTAssertEqual(
            F.alerts(DiskGrowthDetector(), observation).first?.message, "disk +12.0%/hr (>= 5.0) over the last 1800s")
    }

    func testInodeGrowthAloneAndBoth() {
        let inodeOnly = growth([(0, 50, 10), (3600 / 2, 50, 14)])
        XCTAssertEqual(
            F.alerts(DiskGrowthDetector(), inodeOnly).first?.message, "inode +8.0%/hr (>= 5.0) over the last 1800s")
        let both = growth([(0, 50, 10), (1800, 53, 14)])
        XCTAssertEqual(
            F.alerts(DiskGrowthDetector(), both).first?.message,
            "disk +6.0%/hr (>= 5.0) and inode +8.0%/hr (>= 5.0) over the last 1800s")
    }

    func testGrowthNeedsTwoTimestampedSamples() {
        XCTAssertEqual(F.alerts(DiskGrowthDetector(), growth([(0, 99, nil)])), [])
        let untimed = F.observation(system: [
            SystemSample(diskUsedPct: 10), SystemSample(ts: F.ts(60), diskUsedPct: 90),
        ])
        XCTAssertEqual(F.alerts(DiskGrowthDetector(), untimed), [])
        let shrinking = growth([(0, 90, nil), (600, 10, nil)])
        XCTAssertEqual(F.alerts(DiskGrowthDetector(), shrinking), [])
    }
}
