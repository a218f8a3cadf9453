import FleetCore
import XCTest

@testable import AgentRunnerCore

/// `peek`'s human text says exactly what a round without `round_end` is.
final class PeekTextTests: XCTestCase {
    func document(active: Bool) -> JSONValue {
        .object([
            "project": "p", "service": .object(["mode": "pid_file", "active": .bool(active)]),
            "recent_rounds": .array([
                .object(["round_num": 1, "started_at": "2026-12-01T10:00:00.000Z"]),
                .object([
                    "round_num": 2, "exit_code": 0, "exit_cause": "clean", "duration_s": 12.44,
                    "ended_at": "2026-12-01T10:05:00.000Z",
                ]),
                .object(["round_num": 3, "started_at": "2026-12-01T10:06:00.000Z"]),
            ]),
            "orphan": .object(["round_num": 2, "files": .array(["a", "b", "c"]), "stashed_ref": "abc123"]),
        ])
    }

    func testAnOpenRoundIsRunningOnlyWhenNewestAndServeIsUp() {
        let text = PeekText.render(document(active: true))
        XCTAssertTrue(
            text.contains(
                "  round 1: never ended (serve stopped mid-round: killed, crashed or the host went down), started "),
            text)
        XCTAssertTrue(text.contains("  round 2: exit 0 (clean) after 12.4 s\n"), text)
        XCTAssertTrue(text.contains("  round 3: running, started 2026-12-01T10:06:00.000Z\n"), text)
        XCTAssertFalse(text.contains("running or killed"), text)

        let stopped = PeekText.render(document(active: false))
        XCTAssertTrue(stopped.contains("  round 3: never ended (serve stopped mid-round"), stopped)
    }

    func testCountsAndNumbersReadInWords() {
        var document = document(active: true)
        if case .object(var root) = document {
            root["system"] = .object([
                "ts": "2026-12-01T10:00:00.000Z", "disk_used_pct": 87.5341, "disk_free_gb": 12.3456,
                "mem_available_mb": 1024, "mem_total_mb": 4096, "load_1m": 0.523, "cpu_pct": 12.3456,
            ])
            document = .object(root)
        }
        let text = PeekText.render(document)
        XCTAssertTrue(
            text.contains("disk 87.5% used, 12.3 GB free · mem 1024 of 4096 MB available · load 0.52 · cpu 12.3%"), text
        )
        XCTAssertTrue(text.contains("round 2 left 3 files in stash abc123"), text)
        XCTAssertFalse(text.contains("file(s)"), text)
    }
}
