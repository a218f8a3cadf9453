import XCTest

@testable import FleetCore

final class TerminalTextTests: XCTestCase {
    func testEscapesCannotReachTheTerminal() {
        let hostile = "0.1.0\u{1B}[2J\u{1B}]0;pwned\u{07}\r\u{9B}31mred\u{7F}"
        let safe = TerminalText.sanitize(hostile)
        XCTAssertFalse(
            safe.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || (0x80...0x9F).contains($0.value) },
            safe)
        XCTAssertEqual(safe, "0.1.0\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\u{d}\\u{9b}31mred\\u{7f}")
        XCTAssertEqual(TerminalText.sanitize("plain text, tabs\tand ünïcode"), "plain text, tabs\tand ünïcode")
        XCTAssertEqual(TerminalText.sanitize("a\nb", keepNewlines: true), "a\nb")
        XCTAssertEqual(TerminalText.sanitize("a\nb"), "a\\u{a}b")
    }
}
