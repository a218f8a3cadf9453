import FleetCore
import Foundation
import TestSupport
import XCTest

/// One log dir, written in turn by the real original 0.3.14 and by ours, as a host moved to ours
/// and back would have it: both keep the transcripts in `rounds/R<N>-<YYYYmmddTHHMMSS>.log`, each
/// tool's `peek --round N --log` reads the other's, and the numbering continues across them.
final class TranscriptLayoutInteropTests: XCTestCase {
    func testBothToolsReadEachOthersTranscriptsAndNumberingContinues() throws {
        let fleet = try FleetFixture(self, hosts: ["pi1"])
        let project = try InteropProject(self, fleet: fleet, host: "pi1")

        // The original: two rounds.
        try project.serve(.original, rounds: 2)
        XCTAssertEqual(project.transcripts().map { String($0.prefix(3)) }, ["R1-", "R2-"], "\(project.transcripts())")
        let pointer = project.logDir + "/round-current.log"
        let originalPointer = try FileManager.default.destinationOfSymbolicLink(atPath: pointer)
        XCTAssertEqual(originalPointer, "round-2.log", "the original points at its wrapper log, not at the transcript")

        // Ours reads them: the named round, the newest, and the tail of the transcript.
        for (selector, round) in [("2", 2), ("1", 1), ("latest", 2)] {
            let peek = try project.peek(.ours, ["--round", selector, "--log"])
            let current = peek["current_round"]
            XCTAssertEqual(current?["round_num"], .int(Int64(round)), "ours --round \(selector)")
            let path = current?["log_path"]?.stringValue ?? ""
            XCTAssertTrue(path.hasPrefix(project.logDir + "/rounds/R\(round)-"), "\(current as Any)")
            XCTAssertTrue(
                current?["log_tail"]?.stringValue?.contains(#""result":"done""#) ?? false,
                "\(current as Any)")
        }
        let missing = try project.run(.ours, ["peek", "--round", "9"])
        XCTAssertEqual(missing.code, 1)
        XCTAssertTrue(missing.stderr.contains("round 9 not found under \(project.logDir)/rounds/"), missing.stderr)
        XCTAssertTrue(missing.stderr.contains("the newest round is 2: try --round latest"), missing.stderr)

        // Ours continues at 3, in the same layout, and points round-current.log at the live transcript.
        try project.serve(.ours, rounds: 1)
        let third = try XCTUnwrap(project.transcripts().last)
        XCTAssertTrue(third.hasPrefix("R3-"), "\(project.transcripts())")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: pointer), "rounds/" + third)
        XCTAssertFalse(FileManager.default.fileExists(atPath: project.logDir + "/round-3.log"))

        // The original reads ours (its peek --round reads only rounds/R<N>-*.log) ...
        for selector in ["3", "latest"] {
            let current = try project.peek(.original, ["--round", selector, "--log"])["current_round"]
            XCTAssertEqual(current?["round_num"], .int(3), "original --round \(selector)")
            XCTAssertEqual(current?["log_path"]?.stringValue, project.logDir + "/rounds/" + third)
            XCTAssertTrue(
                current?["log_tail"]?.stringValue?.contains(#""result":"done""#) ?? false,
                "\(current as Any)")
        }
        // ... and continues at 4 (from our status.json), which ours reads in turn.
        try project.serve(.original, rounds: 1)
        XCTAssertEqual(project.transcripts().map { String($0.prefix(3)) }, ["R1-", "R2-", "R3-", "R4-"])
        XCTAssertEqual(try project.peek(.ours, ["--round", "latest"])["current_round"]?["round_num"], .int(4))
        let starts = try project.events().filter { $0.kind == "round_start" }.map { $0.payload["round_num"] }
        XCTAssertEqual(starts, [1, 2, 3, 4].map { .int($0) }, "one numbering across both tools")
    }
}
