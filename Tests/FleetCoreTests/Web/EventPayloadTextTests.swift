import XCTest

@testable import FleetCore

final class EventPayloadTextTests: XCTestCase {
    func testValuesInWords() {
        let cases: [(String, JSONValue, String)] = [
            ("paths_hash", nil, "–"), ("success", true, "yes"), ("timed_out", false, "no"),
            ("round_num", 12, "12"), ("cost_usd", 0.0855405, "0.0855405"), ("ratio", 2.0, "2"),
            ("duration_s", 0.20098149000000376, "201 ms"), ("timeout_s", 1800, "30 min"),
            ("duration_ms", 6657, "6.7 s"), ("disk_used_pct", 87.46, "87.5%"), ("swap_total_bytes", 0, "0 B"),
            ("log_size_kb", 1536, "1.5 MiB"), ("mem_total_mb", 15_872, "15.5 GiB"), ("huge_bytes", 1e300, "–"),
            ("reset_at_epoch", 1_796_281_092, "2026-12-03 06:58:12 UTC"),
            ("phase", "", "–"), ("error_message", "<x>", "<x>"),
            ("files", ["a", nil, false], "[a, –, no]"),
            (
                "models_breakdown", ["opus": ["input_tokens": 5]],
                "{opus: {input_tokens: 5}}"
            ),
        ]
        for (key, value, text) in cases {
            XCTAssertEqual(EventPayloadText.value(value, key: key), text, key)
        }
    }

    func testPairsSkipTheTimestampAndKindInWritingOrder() {
        let event: JSONObject = ["ts": "2026-12-03T07:00:00.000Z", "event": "agent_exit", "b": 1, "a": nil]
        XCTAssertEqual(EventPayloadText.pairs(event).map(\.key), ["b", "a"])
        XCTAssertEqual(EventPayloadText.pairs(event).map(\.value), ["1", "–"])
    }
}
