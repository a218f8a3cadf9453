import FleetCore
import XCTest

@testable import Detectors

final class PythonFormatTests: XCTestCase {
    func testFixedRoundsHalfToEvenLikePython() {
        XCTAssertEqual(PythonFormat.fixed(900.5, decimals: 0), "900")
        XCTAssertEqual(PythonFormat.fixed(901.5, decimals: 0), "902")
        XCTAssertEqual(PythonFormat.fixed(5.04, decimals: 1), "5.0")
        XCTAssertEqual(PythonFormat.fixed(12.009, decimals: 1), "12.0")
        XCTAssertEqual(PythonFormat.fixed(-0.04, decimals: 1), "-0.0")
        XCTAssertEqual(PythonFormat.fixed(0.05, decimals: 2), "0.05")
        XCTAssertEqual(PythonFormat.fixed(.nan, decimals: 1), "NaN")
        XCTAssertEqual(PythonFormat.fixed(1e300, decimals: 1), "1e+300")
    }

    func testFloatPercentAndCount() {
        XCTAssertEqual(PythonFormat.float(90), "90.0")
        XCTAssertEqual(PythonFormat.percent(0.2), "20")
        XCTAssertEqual(PythonFormat.percent(0.125), "12.5")
        XCTAssertEqual(PythonFormat.count(200), "200")
        XCTAssertEqual(PythonFormat.count(15.5), "15.5")
        XCTAssertEqual(PythonFormat.countJSON(200), .int(200))
    }

    func testIsoUTC() {
        XCTAssertEqual(PythonFormat.isoUTC(epochSeconds: 1_795_621_322), "2026-11-25T15:42:02+00:00")
    }

    func testHostTextClip() {
        XCTAssertEqual(HostText.clip("short"), "short")
        let long = String(repeating: "é", count: 500)
        XCTAssertEqual(HostText.clip(long).count, HostText.maxScalars + 1)
        XCTAssertTrue(HostText.clip(long).hasSuffix("…"))
        // One Character of 600 KB (a letter and 300 000 combining marks) is cut by bytes.
        let cluster = "x" + String(repeating: "\u{301}", count: 300_000)
        XCTAssertLessThanOrEqual(HostText.clip(cluster).utf8.count, HostText.maxBytes)
    }
}
