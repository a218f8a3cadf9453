import FleetCore
import Foundation
import SSHTransport
import TestSupport
import XCTest

/// The remote command line survives a real POSIX shell byte for byte: generated words (quotes
/// joined with combining marks, prepended-concatenation marks before quotes, ZWJ sequences,
/// lossily decoded invalid UTF-8, controls, bidi, `$(...)`) go through `sh -c 'printf ...'`
/// (and bash, the usual login shell, when installed) and come back exactly as given, one
/// argument per word.
final class RemoteCommandShellTests: XCTestCase {
    func testGeneratedWordsRoundTripThroughRealShells() throws {
        let shells = ["/bin/sh", "/bin/bash"].filter { FileManager.default.isExecutableFile(atPath: $0) }
        guard shells.contains("/bin/sh") else { throw MissingPrerequisite("/bin/sh missing") }
        let generator = HostileText()
        for _ in 0..<40 {
            // argv cannot carry NUL; every other byte must arrive.
            let words = generator.strings(25).map { $0.replacingAll("\u{0}", with: "") } + ["", "'", "'\u{301}"]
            let command = "printf '%s\\000' " + RemoteCommand.commandLine(words)
            for shell in shells {
                let output = try PosixProcessRunner().run(
                    ProcessRequest(shell, arguments: ["-c", command], deadline: .now + .seconds(20)))
                let hint = "\(shell); \(generator.random.replayHint)\n\(command)"
                XCTAssertTrue(output.exit.isSuccess, "\(output.stderrText) \(hint)")
                let received = output.stdout.split(separator: 0, omittingEmptySubsequences: false).dropLast()
                XCTAssertEqual(received.map { Array($0) }, words.map { Array($0.utf8) }, hint)
            }
        }
    }

    /// The pieces the review used, as a floor under the generator.
    func testQuoteJoinedWithMarksStaysQuoted() {
        XCTAssertEqual(RemoteCommand.quote("a'\u{301};id"), "'a'\\''\u{301};id'")
        XCTAssertEqual(RemoteCommand.quote("\u{600}'$(id)"), "'\u{600}'\\''$(id)'")
    }
}
