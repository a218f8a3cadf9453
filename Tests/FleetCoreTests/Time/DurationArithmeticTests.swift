import XCTest

@testable import FleetCore

final class DurationArithmeticTests: XCTestCase {
    /// Operators read durations one way everywhere, through HumanText (the demo once printed
    /// `confirmed after 0.12026142800000002s`, later `0.1s` and `3.0s`).
    func testShortTextIsTheHumanDuration() {
        XCTAssertEqual(Duration.seconds(3).shortText, "3 s")
        XCTAssertEqual(Duration.milliseconds(2500).shortText, "2.5 s")
        XCTAssertEqual(Duration.nanoseconds(136_787_148).shortText, "137 ms")
        XCTAssertEqual(Duration.zero.shortText, "0 ms")
        XCTAssertEqual(Duration.seconds(-4).shortText, "0 ms")
    }

    func testConversionsClampInsteadOfTrapping() {
        XCTAssertEqual(Duration.seconds(Double.nan), .zero)
        XCTAssertEqual(Duration.seconds(-1.5), .zero)
        XCTAssertEqual(Duration.seconds(1.5).milliseconds, 1500)
        XCTAssertEqual(Duration.seconds(1e300).seconds, 3_153_600_000)
        XCTAssertEqual(Duration.seconds(Int64.max).nanoseconds, Int64.max)
        XCTAssertEqual(Duration.milliseconds(1500).timespec.tv_sec, 1)
        XCTAssertEqual(Duration.milliseconds(1500).timespec.tv_nsec, 500_000_000)
    }
}
