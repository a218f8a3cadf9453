import XCTest

@testable import AgentRunnerCore

/// The retention decision as values: the count and byte budgets, the oldest first, the running
/// round never, and the bulk guard only for a backlog.
final class RoundLogRetentionTests: XCTestCase {
    /// Rounds 1...n, round N written at minute N, `sizes[N - 1]` bytes each.
    func rounds(_ sizes: [Int64]) -> [RoundLogRetention.Round] {
        sizes.enumerated().map { index, size in
            RoundLogRetention.Round(
                number: index + 1, mtime: Int64(index + 1) * 60, bytes: size, paths: ["R\(index + 1)"])
        }
    }

    func numbers(_ rounds: [RoundLogRetention.Round]) -> [Int] { rounds.map(\.number) }

    func testBeforeARoundTheCountLeavesRoomForIt() {
        let plan = RoundLogRetention(keepRounds: 3, maxBytes: 0, makingRoom: true).plan(
            rounds([1, 1, 1, 1]), bulkGuard: true)
        XCTAssertEqual(numbers(plan.keep), [4, 3], "the new round makes three")
        XCTAssertEqual(numbers(plan.delete), [1, 2], "oldest first")
        XCTAssertFalse(plan.deferred)
        let one = RoundLogRetention(keepRounds: 1, maxBytes: 0, makingRoom: true).plan(rounds([5]), bulkGuard: true)
        XCTAssertEqual(numbers(one.delete), [1], "retention 1: only the running round's transcript")
        XCTAssertFalse(one.deferred, "one goes, one (the new round) comes: no backlog")
    }

    func testTheByteBudgetTakesTheOldestFirstAndANewerBigRoundIsNotPassedOver() {
        let retention = RoundLogRetention(keepRounds: 100, maxBytes: 10, makingRoom: true)
        let plan = retention.plan(rounds([1, 1, 6, 4]), bulkGuard: true)
        XCTAssertEqual(numbers(plan.keep), [4, 3], "4 + 6 = 10 bytes fit")
        XCTAssertEqual(numbers(plan.delete), [1, 2], "the small old rounds do not stay behind the big one")
        XCTAssertEqual(plan.bytesKept, 10)
        XCTAssertEqual(plan.bytesToFree, 2)
        let huge = retention.plan(rounds([1, 11]), bulkGuard: true)
        XCTAssertEqual(numbers(huge.keep), [], "no round is running yet: a finished round over budget goes")
        XCTAssertFalse(huge.deferred, "the byte budget is the disk's limit: the guard never holds it back")
    }

    func testBesideARunningServeTheNewestRoundStaysWhateverItsSize() {
        let plan = RoundLogRetention(keepRounds: 2, maxBytes: 10, makingRoom: false).plan(
            rounds([1, 2, 50]), bulkGuard: false)
        XCTAssertEqual(numbers(plan.keep), [3], "the running round is never deleted")
        XCTAssertEqual(numbers(plan.delete), [1, 2])
        let count = RoundLogRetention(keepRounds: 2, maxBytes: 0, makingRoom: false).plan(
            rounds([1, 1, 1]), bulkGuard: false)
        XCTAssertEqual(numbers(count.keep), [3, 2])
    }

    func testTheGuardHoldsACountBacklogButNotTheByteBudget() {
        let lowered = RoundLogRetention(keepRounds: 10, maxBytes: 0, makingRoom: true)
        let backlog = lowered.plan(rounds(Array(repeating: 1, count: 100)), bulkGuard: true)
        XCTAssertTrue(backlog.deferred, "91 would go, 10 would stay")
        XCTAssertEqual(backlog.delete, [])
        XCTAssertEqual(backlog.held.count, 91)
        XCTAssertEqual(numbers(backlog.held).first, 1, "oldest first")
        XCTAssertEqual(lowered.plan(rounds(Array(repeating: 1, count: 100)), bulkGuard: false).delete.count, 91)
        XCTAssertFalse(lowered.plan(rounds(Array(repeating: 1, count: 19)), bulkGuard: true).deferred, "10 go, 10 stay")
        XCTAssertTrue(lowered.plan(rounds(Array(repeating: 1, count: 20)), bulkGuard: true).deferred, "11 go, 10 stay")

        let both = RoundLogRetention(keepRounds: 10, maxBytes: 50, makingRoom: true)
        let plan = both.plan(rounds(Array(repeating: 1, count: 100)), bulkGuard: true)
        XCTAssertEqual(plan.delete.count, 50, "the byte budget deletes past 50 bytes even while the count is held")
        XCTAssertEqual(plan.held.count, 41, "rounds 51...91: within the bytes, past the count")
        XCTAssertEqual(plan.keep.count, 50)

        let runaway = RoundLogRetention(keepRounds: 100, maxBytes: 10, makingRoom: true)
        let after = runaway.plan(rounds([1, 1, 1, 1, 1, 1, 1, 1, 40]), bulkGuard: true)
        XCTAssertEqual(after.delete.count, 9, "a runaway round and everything before it go; pruning goes on")
        XCTAssertFalse(after.deferred)
    }

    func testZeroKeepsEverything() {
        let plan = RoundLogRetention(keepRounds: 0, maxBytes: 0, makingRoom: true).plan(
            rounds([1, 2, 3]), bulkGuard: true)
        XCTAssertEqual(plan.delete, [])
        XCTAssertEqual(plan.keep.count, 3)
        let bytesOnly = RoundLogRetention(keepRounds: 0, maxBytes: 5, makingRoom: true).plan(
            rounds([1, 2, 3]), bulkGuard: true)
        XCTAssertEqual(numbers(bytesOnly.keep), [3, 2], "0 rounds = no count limit; the byte budget still holds")
    }
}
