import FleetCore
import Foundation
import XCTest

@testable import AgentRunnerCore

/// Both transcript layouts read alike: `rounds/R<N>-<UTC start>.log` (ours now, and the original's)
/// and the flat `round-<N>.log` (ours before; the original's wrapper logs of the same name).
final class RoundLogsTests: XCTestCase {
    var logDir = ""

    override func setUpWithError() throws {
        logDir = NSTemporaryDirectory() + "roundlogs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: logDir + "/rounds", withIntermediateDirectories: true)
        addTeardownBlock { [logDir] in try? FileManager.default.removeItem(atPath: logDir) }
    }

    func write(_ name: String, minutesAgo: Double = 0) throws {
        let path = logDir + "/" + name
        try Data(name.utf8).write(to: URL(fileURLWithPath: path))
        let date = Date(timeIntervalSinceNow: -minutesAgo * 60)
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
    }

    func testTheTranscriptIsNamedByTheRoundsUTCStartToTheSecond() {
        let start = EventTimestamp.parse("2026-12-02T22:57:58.122Z")!
        XCTAssertEqual(RoundLogs.transcriptName(round: 12, startedAt: start), "R12-20261202T225758.log")
        XCTAssertEqual(
            RoundLogs(logDir: "/l").newTranscriptPath(forRound: 3, startedAt: start),
            "/l/rounds/R3-20261202T225758.log")
        XCTAssertEqual(RoundLogs.round(inTranscriptName: "R12-20261202T225758.log"), 12)
        for name in ["R-1.log", "R0-x.log", "Rx-1.log", "R3.log", "R3-a.txt", "round-3.log"] {
            XCTAssertNil(RoundLogs.round(inTranscriptName: name), name)
        }
    }

    func testATranscriptInRoundsWinsOverAFlatLogOfTheSameRoundAndNumberingSpansBoth() throws {
        try write("round-1.log")
        try write("round-2.log")  // the original's (empty) wrapper of round 2
        try write("rounds/R2-20261202T000000.log")
        try write("rounds/R3-20261202T000100.log")
        try write("rounds/notes.txt")
        symlink("rounds/R3-20261202T000100.log", logDir + "/round-9.log")  // a symlink is no round log
        let logs = RoundLogs(logDir: logDir)
        XCTAssertEqual(logs.transcript(forRound: 1), logDir + "/round-1.log")
        XCTAssertEqual(logs.transcript(forRound: 2), logDir + "/rounds/R2-20261202T000000.log")
        XCTAssertEqual(logs.transcript(forRound: 3), logDir + "/rounds/R3-20261202T000100.log")
        XCTAssertNil(logs.transcript(forRound: 4))
        XCTAssertNil(logs.transcript(forRound: 9))
        XCTAssertEqual(logs.highestRound(), 3)
        try write("round-7.log")
        XCTAssertEqual(logs.highestRound(), 7, "our earlier flat logs count too")
    }

    func testThePointerIsARelativeLinkToTheLiveTranscript() throws {
        let logs = RoundLogs(logDir: logDir)
        logs.pointCurrent(at: logs.newTranscriptPath(forRound: 4, startedAt: UTCInstant(seconds: 1_795_000_000)))
        XCTAssertEqual(
            try FileManager.default.destinationOfSymbolicLink(atPath: logs.currentLink),
            "rounds/R4-20261118T110640.log")
        logs.pointCurrent(at: logs.newTranscriptPath(forRound: 5, startedAt: UTCInstant(seconds: 1_795_000_100)))
        XCTAssertEqual(
            try FileManager.default.destinationOfSymbolicLink(atPath: logs.currentLink),
            "rounds/R5-20261118T110820.log")
    }

    func testRetentionKeepsTheNewestRoundsWithAllTheirFilesAndRefusesBulkDeletes() throws {
        try write("round-1.log", minutesAgo: 50)
        try write("round-2.log", minutesAgo: 40)
        try write("rounds/R2-20261202T000000.log", minutesAgo: 40)
        try write("rounds/R3-20261202T000100.log", minutesAgo: 30)
        try write("rounds/R4-20261202T000200.log", minutesAgo: 20)
        let logs = RoundLogs(logDir: logDir)
        func retention(_ keep: Int) -> RoundLogRetention {
            RoundLogRetention(keepRounds: keep, maxBytes: 0, makingRoom: true)
        }
        XCTAssertEqual(logs.prune(retention(0)), .init())
        XCTAssertEqual(
            logs.prune(retention(2)),
            .init(deferral: .init(existing: 4, keep: 2, wouldDelete: 3, bytes: 11 + 40 + 29)),
            "one round and the next would stay, three go: the guard holds")
        XCTAssertEqual(logs.files().count, 5, "a deferred prune deletes nothing")
        XCTAssertEqual(
            logs.prune(retention(3)),
            .init(
                deleted: [
                    logDir + "/round-1.log", logDir + "/round-2.log",
                    logDir + "/rounds/R2-20261202T000000.log",
                ], bytes: 51))
        XCTAssertEqual(logs.files().map(\.round).sorted(), [3, 4])
        XCTAssertEqual(logs.prune(retention(3)), .init())
        XCTAssertEqual(
            logs.prune(retention(2), bulkGuard: false),
            .init(deleted: [logDir + "/rounds/R3-20261202T000100.log"], bytes: 29))
    }
}
