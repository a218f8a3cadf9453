import FleetCore
import Foundation
import XCTest

@testable import AgentRunnerCore

/// The recorded transcripts in `Fixtures/agent-output/`, read by path. A missing file fails the
/// test that asked for it (never a skip): a fixture that silently vanished would let a
/// classifier regress unseen.
enum AgentOutputFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/agent-output")
    /// The fake transcripts the original's harness replayed (stdout `.out`, stderr `.err`).
    static let originalHarness = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("EndToEndTests/Fixtures/original/harness/fake-transcripts")

    /// 2026-12-02T23:21:40Z, a moment of the recordings.
    static let now: Int64 = 1_796_253_700

    /// Every `.log` in the directory.
    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".log") }.sorted()
    }

    static func bytes(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        let url = directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            XCTFail("fixture \(url.path) is missing", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        return Array(data)
    }

    /// A fake transcript of the original's harness: stdout then stderr, as a round log holds them.
    static func harness(_ stem: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        var text = ""
        for suffix in [".out", ".err"] {
            let path = originalHarness.appendingPathComponent(stem + suffix).path
            if let data = FileManager.default.contents(atPath: path) { text += String(decoding: data, as: UTF8.self) }
        }
        guard !text.isEmpty else {
            XCTFail("harness transcript \(stem) is missing under \(originalHarness.path)", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        return text
    }

    /// The preset a fixture belongs to: its name up to the first dash.
    static func preset(of name: String) -> String {
        String(name.prefix { $0 != "-" })
    }

    static func exit(_ code: Int32, durationS: Double = 1) -> AgentExit {
        AgentExit(
            status: .terminated(code), durationS: durationS, timedOut: false, graceKilled: false, graceExtended: false)
    }

    static func analyze(_ name: String, exitCode: Int32 = 1) throws -> TranscriptAnalysis {
        let transcript = RoundTranscript(bytes: try bytes(name))
        return AgentIdentity(command: [preset(of: name)]).classifier.analyze(transcript, exit: exit(exitCode), now: now)
    }
}
