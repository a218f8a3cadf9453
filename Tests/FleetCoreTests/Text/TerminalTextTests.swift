import TestSupport
import XCTest

@testable import FleetCore

final class TerminalTextTests: XCTestCase {
    func testEscapesCannotReachTheTerminal() {
        let hostile = "0.1.0\u{1B}[2J\u{1B}]0;pwned\u{07}\r\u{9B}31mred\u{7F}\u{202E}txt.exe\u{2066}"
        let safe = TerminalText.sanitize(hostile)
        XCTAssertEqual(safe, "0.1.0\\x1B[2J\\x1B]0;pwned\\x07\\x0D\\x9B31mred\\x7F\\u{202E}txt.exe\\u{2066}")
        XCTAssertEqual(TerminalText.sanitize("plain text and ünïcode 👩‍👩‍👧"), "plain text and ünïcode 👩‍👩‍👧")
        XCTAssertEqual(TerminalText.sanitize("a\nb\tc", keepNewlines: true), "a\nb\tc")
        XCTAssertEqual(TerminalText.sanitize("a\nb\tc"), "a\\x0Ab\\x09c")
    }

    /// Over generated text: nothing unsafe survives, in either mode; safe text is untouched; the
    /// escapes are visible ASCII.
    func testGeneratedTextLeavesNoControlBehind() {
        let generator = HostileText()
        for text in generator.strings(3000) {
            let hint = "\(text.debugDescription); \(generator.random.replayHint)"
            let line = TerminalText.sanitize(text)
            let block = TerminalText.sanitize(text, keepNewlines: true)
            XCTAssertFalse(line.unicodeScalars.contains { TerminalText.isUnsafe($0) }, hint)
            XCTAssertFalse(
                line.unicodeScalars.contains { $0 == "\n" || $0 == "\r" }, "one line stays one line: \(hint)")
            XCTAssertFalse(block.unicodeScalars.contains { TerminalText.isUnsafe($0, keepNewlines: true) }, hint)
            XCTAssertFalse(line.unicodeScalars.contains { $0.value == 0x1B || (0x80...0x9F).contains($0.value) }, hint)
            if !text.unicodeScalars.contains(where: { TerminalText.isUnsafe($0) }) { XCTAssertEqual(line, text, hint) }
        }
    }
}

/// stderr of both programs is a ``SanitizedOutput``: whatever a message quotes, nothing unsafe
/// reaches the terminal, and newlines between messages stay.
final class SanitizedOutputTests: XCTestCase {
    final class Captured: TextOutput, @unchecked Sendable {  // Written by the test's thread only.
        var text = ""
        func write(_ text: String) { self.text += text }
    }

    func testGeneratedMessagesReachStderrSanitized() {
        let generator = HostileText()
        let captured = Captured()
        let stderr = SanitizedOutput(captured)
        for text in generator.strings(500) { stderr.write("fleetctl: " + text + "\n") }
        XCTAssertFalse(
            captured.text.unicodeScalars.contains { TerminalText.isUnsafe($0, keepNewlines: true) },
            generator.random.replayHint)
        XCTAssertTrue(captured.text.hasPrefix("fleetctl: "))
    }
}
