import XCTest

@testable import fleet_bench

final class StatisticsTests: XCTestCase {
    func testMedianOfOddAndEvenCounts() {
        XCTAssertEqual(Statistics(values: [3, 1, 2]).median, 2)
        XCTAssertEqual(Statistics(values: [4, 1, 3, 2]).median, 2.5)
        XCTAssertTrue(Statistics(values: []).median.isNaN)
    }

    func testPercentileInterpolatesBetweenRanks() {
        let sample = Statistics(values: (1...21).map(Double.init))
        XCTAssertEqual(sample.percentile(95), 20)
        XCTAssertEqual(sample.percentile(0), 1)
        XCTAssertEqual(sample.percentile(100), 21)
        XCTAssertEqual(Statistics(values: [10, 20]).percentile(95), 19.5, accuracy: 1e-9)
        XCTAssertEqual(Statistics(values: [7]).percentile(95), 7)
    }
}
