import TestSupport
import XCTest

@testable import FleetCore

/// JSON output carries no raw control: every C0 and C1 control, bidi control and line
/// separator is a `\u` escape, the text parses back to itself, and non-finite numbers are `null`.
final class JSONStringEscapeTests: XCTestCase {
    func testGeneratedStringsRoundTripWithoutRawControls() throws {
        let generator = HostileText()
        for text in generator.strings(3000) {
            let hint = "\(text.debugDescription); \(generator.random.replayHint)"
            for style in [JSONWriter.Style.compact, .python, .pretty(indent: 2)] {
                let bytes = JSONWriter(style: style).encode(["key": .string(text), "list": [.string(text)]])
                let decoded = String(decoding: bytes, as: UTF8.self)
                XCTAssertFalse(
                    decoded.unicodeScalars.contains { scalar in
                        (scalar.value < 0x20 && !(style != .compact && scalar == "\n"))
                            || (scalar != "\u{7F}" && TerminalText.isUnsafe(scalar, keepNewlines: true))
                    }, hint)
                let parsed = try JSONParser.strict.parse(bytes)
                XCTAssertEqual(parsed["key"]?.stringValue, text, hint)
            }
        }
    }

    func testC1AndBidiAreEscapedAsUnicode() {
        XCTAssertEqual(
            JSONWriter().string(.string("a\u{9B}b\u{85}\u{202E}\u{2028}\u{1B}")), #""a\u009bb\u0085\u202e\u2028\u001b""#
        )
        XCTAssertEqual(JSONWriter().string(.string("é ü 中 👩‍👩‍👧")), "\"é ü 中 👩‍👩‍👧\"", "other text stays raw")
    }

    /// A host's peek with `Infinity`, `NaN` and `1e999` (which the remote parser accepts, as
    /// Python's json module does) is printed by `fleetctl peek` as JSON any parser reads.
    func testAHostsNonFiniteNumbersArePrintedAsNull() throws {
        let hostile = Array(
            #"{"system": {"load_1m": Infinity, "cpu_pct": NaN, "disk_used_pct": 1e999, "x": -1e999}}"#.utf8)
        let document = try JSONParser(invalidUTF8: .replace).parse(hostile)
        let printed = JSONWriter(style: .pretty(indent: 2)).encode(document)
        let text = String(decoding: printed, as: UTF8.self)
        XCTAssertFalse(text.contains("Infinity") || text.contains("NaN") || text.contains("e+999"), text)
        XCTAssertEqual(try JSONParser.strict.parse(printed)["system"]?["load_1m"], .null)
    }

    func testNonFiniteNumbersAreNull() throws {
        let bytes = JSONWriter(style: .pretty(indent: 2)).encode([
            "a": .double(.infinity), "b": .double(.nan), "c": 1.5,
        ])
        XCTAssertEqual(try JSONParser.strict.parse(bytes), ["a": .null, "b": .null, "c": 1.5])
        XCTAssertFalse(String(decoding: bytes, as: UTF8.self).contains("Infinity"))
    }
}
