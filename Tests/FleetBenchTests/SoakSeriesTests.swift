import XCTest

@testable import fleet_bench

/// The soak's verdict: a leak fails it, noise does not.
final class SoakSeriesTests: XCTestCase {
    func series(_ values: [Double], _ limit: SoakSeries.Limit) -> SoakSeries {
        SoakSeries(
            name: "x", unit: "u", limit: limit,
            points: values.enumerated().map { SoakSeries.Point(at: ($0.offset + 1) * 500, value: $0.element) })
    }

    func testNoiseWithinTheLimitIsFlat() {
        let rss = series([10.2, 10.9, 10.4, 11.0, 10.5, 10.6, 10.3, 10.8], .absolute(1))
        XCTAssertEqual(rss.verdict, .flat(start: 10.55, end: 10.55))
        XCTAssertTrue(rss.passed)
        XCTAssertTrue(rss.line.hasSuffix(": flat"), rss.line)
    }

    func testASteadyLeakGrows() {
        let fds = series((0..<20).map { 7 + Double($0) * 0.25 }, .absolute(2))
        guard case .grew(let start, let end) = fds.verdict else { return XCTFail("\(fds.verdict)") }
        XCTAssertLessThan(start, 8)
        XCTAssertGreaterThan(end, 11)
        XCTAssertFalse(fds.passed)
        XCTAssertTrue(fds.line.hasSuffix("GREW"), fds.line)
    }

    func testOneSpikeDoesNotMoveTheMedians() {
        let overhead = series([20, 21, 19, 60, 20, 22, 21, 20], .relative(0.2))
        XCTAssertTrue(overhead.passed, overhead.line)
        let slower = series([20, 21, 19, 22, 26, 27, 26, 27], .relative(0.2))
        XCTAssertFalse(slower.passed, "20.5 -> 26.5 ms is 29 % slower: \(slower.line)")
    }

    func testACeilingHoldsAtEverySample() {
        XCTAssertTrue(series([90, 101, 99], .ceiling(101)).passed)
        let over = series([90, 102, 99], .ceiling(101))
        XCTAssertEqual(over.verdict, .overCeiling(at: 1000, value: 102))
        XCTAssertTrue(over.line.contains("OVER BUDGET"), over.line)
    }

    func testOneSampleIsTooShortToJudgeAndTwoCompareEnds() {
        XCTAssertEqual(series([5], .absolute(1)).verdict, .tooShort)
        XCTAssertEqual(series([5, 7], .absolute(1)).verdict, .grew(start: 5, end: 7))
    }
}
