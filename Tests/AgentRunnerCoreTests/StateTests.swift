import FleetCore
import Foundation
import XCTest

@testable import AgentRunnerCore

final class GitStatusParsingTests: XCTestCase {
    func testPorcelainV2() {
        let head = String(repeating: "a", count: 40)
        let output =
            "# branch.oid \(head)\0# branch.head main\0"
            + "1 .M N... 100644 100644 100644 \(head) \(head) src/a file.swift\0"
            + "2 R. N... 100644 100644 100644 \(head) \(head) R100 new.txt\0old.txt\0"
            + "? untracked dir/x.txt\0"
        let parsed = GitWorkTree.parseStatus(output)
        XCTAssertEqual(parsed.head, head)
        XCTAssertEqual(parsed.files, ["src/a file.swift", "new.txt", "untracked dir/x.txt"])
        XCTAssertNil(GitWorkTree.parseStatus("# branch.oid (initial)\0").head)
    }
}

final class ThrottleStateTests: XCTestCase {
    func event(_ kind: String, _ payload: JSONObject) -> Event {
        Event(ts: "2026-11-25T00:00:00.000Z", kind: kind, payload: payload, raw: "")
    }

    func testNewestTransientEventPerAgentDecides() {
        let detected = event(
            "transient_error_detected",
            ["classification": "rate_limit_model", "agent": "claude", "reset_at_epoch": 100, "round_num": 7])
        let recovered = event("transient_error_recovered", ["classification": "rate_limit_model", "agent": "claude"])
        let other = event("transient_error_recovered", ["classification": "rate_limit_model", "agent": "gemini"])
        let success = event("agent_usage_recorded", ["agent": "claude", "success": true])
        // Newest first.
        let active = ThrottleState.derive(
            newestFirst: [other, detected, recovered, detected, success, detected], agent: "claude")
        XCTAssertEqual(active.active?.error.resetAtEpoch, 100)
        XCTAssertEqual(active.active?.roundNum, 7)
        XCTAssertEqual(
            active.detectionsSinceSuccess, 2,
            "detections after the last success only; another agent's recovery does not hide it")
        XCTAssertEqual(active.active?.priorDetections, 1)
        XCTAssertNil(ThrottleState.derive(newestFirst: [recovered, detected], agent: "claude").active)
    }

    func testTrackerCountsUntilSuccess() {
        var tracker = ThrottleTracker()
        let error = TransientError(classification: .rateLimitModel, resetAtEpoch: 1, raw: "")
        tracker.detected(error)
        XCTAssertEqual(tracker.priorDetections, 0)
        tracker.recovered()
        XCTAssertNil(tracker.active)
        tracker.detected(error)
        XCTAssertEqual(tracker.priorDetections, 1, "a recovery does not reset the escalation")
        tracker.succeeded()
        tracker.detected(error)
        XCTAssertEqual(tracker.priorDetections, 0)
    }
}

final class GitHeadReaderTests: XCTestCase {
    func read(_ dir: String) -> (isWorkTree: Bool, head: String?)? {
        GitHeadReader.read(workDir: dir, fileSystem: LocalFileSystem())
    }

    func testMatchesGitForLoosePackedAndUnbornRefs() throws {
        let dir = NSTemporaryDirectory() + "head-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        func git(_ args: String) throws -> String {
            let output = try PosixProcessRunner().run(
                ProcessRequest(
                    "/bin/sh", arguments: ["-c", "git -c user.email=a@b -c user.name=t \(args)"], workingDirectory: dir)
            )
            return output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try git("init -q")
        XCTAssertEqual(read(dir)?.isWorkTree, true)
        XCTAssertNil(read(dir)?.head ?? nil, "no commit yet")
        _ = try git("commit -q --allow-empty -m one")
        XCTAssertEqual(read(dir)?.head, try git("rev-parse HEAD"))
        _ = try git("pack-refs --all")
        XCTAssertEqual(read(dir)?.head, try git("rev-parse HEAD"), "packed ref")
        _ = try git("checkout -q --detach")
        XCTAssertEqual(read(dir)?.head, try git("rev-parse HEAD"), "detached")
        XCTAssertNil(read(dir + "/nope"))
    }
}
