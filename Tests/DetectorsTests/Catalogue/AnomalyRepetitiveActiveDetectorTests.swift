import FleetCore
import XCTest

@testable import Detectors

final class AnomalyRepetitiveActiveDetectorTests: XCTestCase {
    private typealias F = Fixtures

    private func anomaly(round: Int, tool: JSONValue = "Bash", target: JSONValue = "pytest -x") -> Event {
        F.event(
            Double(round) * 100 + 50, "anomaly_repetitive_tool",
            [
                "round_num": .int(Int64(round)), "tool_name": tool, "target": target, "count": 16, "window": 30,
            ])
    }

    private func roundEnd(_ round: Int) -> Event {
        F.event(Double(round) * 100 + 90, "round_end", ["round_num": .int(Int64(round))])
    }

    func testFiresInsideTheFiveRoundWindow() throws {
        // max_round 10: round 6 is the oldest in the window.
        let events = [anomaly(round: 6), roundEnd(10)]
        let alert = try XCTUnwrap(F.alerts(AnomalyRepetitiveActiveDetector(), F.observation(events: events)).first)
        XCTAssertEqual(
            alert.message,
            "1 anomaly_repetitive_tool event(s) in last 5 rounds; latest: Bash on 'pytest -x' (16x in window 30)")
        XCTAssertEqual(
            alert.context, ["count": 1, "window_rounds": 5, "latest_tool": "Bash", "latest_target": "pytest -x"])
        XCTAssertEqual(alert.key, "anomaly_repetitive_active")
    }

    func testSilentJustOutsideTheWindow() {
        XCTAssertEqual(
            F.alerts(AnomalyRepetitiveActiveDetector(), F.observation(events: [anomaly(round: 5), roundEnd(10)])), [])
        XCTAssertEqual(F.alerts(AnomalyRepetitiveActiveDetector(), F.observation(events: [roundEnd(10)])), [])
    }

    func testCountsAllInWindowAndNamesTheLatest() throws {
        // max_round 9: rounds 5–9 are in the window, so round 4's event is not counted.
        let events = [
            anomaly(round: 4), anomaly(round: 5), anomaly(round: 7), anomaly(round: 9, tool: "Read", target: .null),
            roundEnd(9),
        ]
        let alert = try XCTUnwrap(F.alerts(AnomalyRepetitiveActiveDetector(), F.observation(events: events)).first)
        XCTAssertEqual(alert.context["count"], 3)
        XCTAssertEqual(
            alert.message,
            "3 anomaly_repetitive_tool event(s) in last 5 rounds; latest: Read on None (16x in window 30)")
        XCTAssertEqual(alert.key, "anomaly_repetitive_active")
        XCTAssertEqual(alert.context["latest_target"], JSONValue.null)
    }

    func testTargetReprQuoting() {
        XCTAssertEqual(PythonFormat.repr("it's"), "\"it's\"")
        XCTAssertEqual(PythonFormat.repr("a'b\"c"), "'a\\'b\"c'")
        XCTAssertEqual(PythonFormat.repr("line\nnext\\"), "'line\\nnext\\\\'")
    }
}
