import FleetCore
import XCTest

@testable import AgentRunnerCore

final class DirtyTreeEventsTests: XCTestCase {
    let error = GitError(command: "stash", message: String(repeating: "x", count: 300), timedOut: false)
    var reason: String { String(error.description.prefix(200)) }
    let files = (1...25).map { "file-\($0).txt" }

    func testDetectedAndCheckFailed() {
        assertPayload(
            DirtyCheckFailed(roundNum: 1, error: error),
            equals: JSONObject([("round_num", .int(1)), ("reason", .string(reason))]))
        assertPayload(
            DirtyDetected(roundNum: 1, files: files),
            equals: JSONObject([("round_num", .int(1)), ("files", .array(files.prefix(20).map { .string($0) }))]))
    }

    func testStash() {
        assertPayload(
            OrphanStashed(roundNum: 2, ref: "abc"),
            equals: JSONObject([
                ("round_num", .int(2)), ("ref", .string("abc")), ("reason", "clean_exit_with_dirty_tree"),
            ]))
        assertPayload(
            OrphanIdempotentSkip(roundNum: 2, ref: "abc"),
            equals: JSONObject([
                ("round_num", .int(2)), ("ref", .string("abc")), ("reason", "clean_exit_with_dirty_tree"),
            ]))
        assertPayload(
            OrphanStashFailed(roundNum: 2, phase: nil, error: error),
            equals: JSONObject([
                ("round_num", .int(2)), ("phase", .null), ("reason", .string(reason)),
            ]))
    }

    func testAutoCommit() {
        assertPayload(
            DirtyAutoCommitted(roundNum: 3, files: files, ref: "def"),
            equals: JSONObject([
                ("round_num", .int(3)), ("files", .array(files.prefix(20).map { .string($0) })),
                ("ref", .string("def")),
            ]))
        assertPayload(
            DirtyCommitFailed(roundNum: 3, phase: "converge", error: error),
            equals: JSONObject([
                ("round_num", .int(3)), ("phase", .string("converge")), ("reason", .string(reason)),
            ]))
    }
}
