import FleetCore
import XCTest

final class HumanTextTests: XCTestCase {
    func testMissingIsAnEnDash() {
        XCTAssertEqual(HumanText.missing, "\u{2013}")
        XCTAssertEqual(HumanText.duration(seconds: nil), "–")
        XCTAssertEqual(HumanText.time(epochSeconds: nil), "–")
        XCTAssertEqual(HumanText.age(epochSeconds: nil, now: 100), "–")
        XCTAssertEqual(HumanText.bytes(nil), "–")
        XCTAssertEqual(HumanText.percent(nil), "–")
    }

    func testUnusableNumbersAreMissing() {
        for value in [Double.nan, .infinity, -.infinity, 1e300] {
            XCTAssertEqual(HumanText.duration(seconds: value), "–", "\(value)")
            XCTAssertEqual(HumanText.time(epochSeconds: value), "–", "\(value)")
            XCTAssertEqual(HumanText.age(epochSeconds: value, now: 0), "–", "\(value)")
            XCTAssertEqual(HumanText.percent(value), "–", "\(value)")
        }
        XCTAssertEqual(HumanText.age(epochSeconds: 0, now: .nan), "–")
    }

    func testDurationInEachRange() {
        let cases: [(Double, String)] = [
            (0, "0 ms"), (0.0004, "0 ms"), (0.2009, "201 ms"), (0.85, "850 ms"), (0.9994, "999 ms"),
            (0.9996, "1 s"), (1, "1 s"), (5.0, "5 s"), (12.44, "12.4 s"), (30.04, "30 s"), (59.94, "59.9 s"),
            (59.96, "1 min"),
            (60, "1 min"), (192, "3 min 12 s"), (3_599.4, "59 min 59 s"), (3_599.6, "1 h"), (3_600, "1 h"),
            (7_530, "2 h 5 min"), (86_399, "23 h 59 min"), (86_400, "1 d"), (273_600, "3 d 4 h"),
            (90 * 86_400 + 3_599, "90 d"), (-1.5, "-1.5 s"), (-192, "-3 min 12 s"),
        ]
        for (seconds, text) in cases {
            XCTAssertEqual(HumanText.duration(seconds: seconds), text, "\(seconds) s")
        }
    }

    func testTimeIsUTCWithoutTheFraction() {
        XCTAssertEqual(HumanText.time(epochSeconds: 0), "1970-01-01 00:00:00 UTC")
        XCTAssertEqual(HumanText.time(epochSeconds: 1_796_281_092.987), "2026-12-03 06:58:12 UTC")
        XCTAssertEqual(HumanText.time(epochSeconds: 951_782_400), "2000-02-29 00:00:00 UTC")
        XCTAssertEqual(HumanText.time(epochSeconds: -0.5), "1969-12-31 23:59:59 UTC")
    }

    func testAgeInEachRange() {
        let now = 1_796_281_092.0
        let cases: [(Double, String)] = [
            (0, "just now"), (4.9, "just now"), (-4.9, "just now"), (5, "5 s ago"), (42.7, "42 s ago"),
            (59.9, "59 s ago"), (60, "1 min ago"), (5 * 60 + 59, "5 min ago"), (3_599, "59 min ago"),
            (3_600, "1 h ago"), (3 * 3_600 + 1_000, "3 h ago"), (86_399, "23 h ago"), (86_400, "1 d ago"),
            (40 * 86_400, "40 d ago"), (-5, "in 5 s"), (-4 * 60 - 30, "in 4 min"), (-2 * 3_600, "in 2 h"),
            (-3 * 86_400, "in 3 d"),
        ]
        for (ago, text) in cases {
            XCTAssertEqual(HumanText.age(epochSeconds: now - ago, now: now), text, "\(ago) s ago")
        }
    }

    func testBytesInEachUnit() {
        let cases: [(Int, String)] = [
            (0, "0 B"), (512, "512 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"),
            (1_048_000, "1023.4 KiB"), (1_048_575, "1.0 MiB"), (3_355_443, "3.2 MiB"),
            (7 << 30, "7.0 GiB"), (1_319_413_953_331, "1.2 TiB"), (3 << 50, "3.0 PiB"), (.max, "8192.0 PiB"),
            (-2048, "-2.0 KiB"), (.min, "-8192.0 PiB"),
        ]
        for (count, text) in cases {
            XCTAssertEqual(HumanText.bytes(count), text, "\(count) bytes")
        }
    }

    func testPercentHasOneDecimal() {
        XCTAssertEqual(HumanText.percent(87.5), "87.5%")
        XCTAssertEqual(HumanText.percent(87.46), "87.5%")
        XCTAssertEqual(HumanText.percent(100), "100.0%")
        XCTAssertEqual(HumanText.percent(0), "0.0%")
        XCTAssertEqual(HumanText.percent(-0.01), "0.0%")
        XCTAssertEqual(HumanText.percent(-12.25), "-12.3%")
    }

    func testCountsSayTheNounInTheRightNumber() {
        XCTAssertEqual(HumanText.count(1, "process"), "1 process")
        XCTAssertEqual(HumanText.count(3, "process"), "3 processes")
        XCTAssertEqual(HumanText.count(0, "file"), "0 files")
        XCTAssertEqual(HumanText.count(2, "match"), "2 matches")
        XCTAssertEqual(HumanText.count(2, "child", plural: "children"), "2 children")
        XCTAssertEqual(HumanText.count(1, "child", plural: "children"), "1 child")
    }

    func testNumbersHaveNoFloatNoise() {
        XCTAssertEqual(HumanText.number(5.0), "5")
        XCTAssertEqual(HumanText.number(3600.0), "3600")
        XCTAssertEqual(HumanText.number(-2), "-2")
        XCTAssertEqual(HumanText.number(0.25), "0.25")
        XCTAssertEqual(HumanText.number(.nan), "–")
    }
}
