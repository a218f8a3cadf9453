import TestSupport
import XCTest

@testable import FleetCore

/// Over generated hostile text: the escape leaves no raw `<`, `>`, `"`, `'` byte, every `&`
/// starts one of the five references it writes, and unescaping gives the text back.
final class HTMLEscapePropertyTests: XCTestCase {
    func testGeneratedTextLeavesNoMarkupByte() {
        let generator = HostileText()
        let references = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].map { Array($0.utf8) }
        for text in generator.strings(3000) {
            let escaped = Array(HTML.escape(text).utf8)
            let hint = "\(text.debugDescription); \(generator.random.replayHint)"
            XCTAssertFalse(escaped.contains { [0x3C, 0x3E, 0x22, 0x27].contains($0) }, hint)
            for index in escaped.indices where escaped[index] == UInt8(ascii: "&") {
                XCTAssertTrue(references.contains { escaped[index...].starts(with: $0) }, "a bare & in \(hint)")
            }
            XCTAssertEqual(Self.unescape(String(decoding: escaped, as: UTF8.self)), text, hint)
        }
    }

    static func unescape(_ text: String) -> String {
        text.replacingAll("&lt;", with: "<").replacingAll("&gt;", with: ">").replacingAll("&quot;", with: "\"")
            .replacingAll("&#39;", with: "'").replacingAll("&amp;", with: "&")
    }
}
