import TestSupport
import XCTest

@testable import FleetCore

/// The TOML we write (`agent-runner init`, `config`, migrations) quotes by scalar: generated
/// strings, a `'` or `"` joined with a combining mark among them, written as basic or readable
/// strings parse back to themselves.
final class TOMLTextPropertyTests: XCTestCase {
    func testGeneratedStringsParseBackToThemselves() throws {
        let generator = HostileText()
        for text in generator.strings(1500) + ["a'\u{301}b", "\\\u{301}\"", "'\u{600}"] {
            let hint = "\(text.debugDescription); \(generator.random.replayHint)"
            for written in [TOMLText.basicString(text), TOMLText.readableString(text)] {
                let table = try TOML.parse("key = " + written + "\n")
                XCTAssertEqual(table["key"], .string(text), "\(written.debugDescription) for \(hint)")
            }
        }
    }
}

/// `agent-runner events` prints lines other programs wrote: raw controls in them come out as
/// `\u` escapes, and the line still parses to the same values.
final class RawLineEscapeTests: XCTestCase {
    func testRawControlsInForeignLinesAreEscapedWithoutChangingTheValue() throws {
        let generator = HostileText()
        for text in generator.strings(1000) {
            // What a writer that escapes only `"`, `\`, tabs and line ends would leave raw (a raw
            // tab inside a string is not JSON at all; outside strings it stays, as whitespace).
            var raw = "{\"event\": \"x\", \"note\": \""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": raw += "\\\""
                case "\\": raw += "\\\\"
                case "\n": raw += "\\n"
                case "\r": raw += "\\r"
                case "\t": raw += "\\t"
                default: raw.unicodeScalars.append(scalar)
                }
            }
            raw += "\"}"
            let shown = JSONWriter.escapingRawControls(raw)
            let hint = "\(text.debugDescription); \(generator.random.replayHint)"
            XCTAssertFalse(
                shown.unicodeScalars.contains { TerminalText.isUnsafe($0) && $0 != "\t" && $0 != "\u{7F}" }, hint)
            XCTAssertEqual(try JSONParser.strict.parse(Array(shown.utf8))["note"]?.stringValue, text, hint)
        }
    }
}
