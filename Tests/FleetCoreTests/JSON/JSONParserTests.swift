import FleetCore
import TestSupport
import XCTest

final class JSONParserTests: XCTestCase {
    private func parse(_ text: String, _ parser: JSONParser = .strict) throws -> JSONValue {
        try parser.parse(text)
    }

    private func parseError(
        _ bytes: [UInt8], _ parser: JSONParser = .strict, file: StaticString = #filePath, line: UInt = #line
    ) -> JSONParseError? {
        do {
            let value = try parser.parse(bytes)
            XCTFail("expected an error, got \(value)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testScalarsAndContainers() throws {
        XCTAssertEqual(try parse(" null "), .null)
        XCTAssertEqual(try parse("true"), .bool(true))
        XCTAssertEqual(try parse("false"), .bool(false))
        XCTAssertEqual(try parse("-12"), .int(-12))
        XCTAssertEqual(try parse("0"), .int(0))
        XCTAssertEqual(try parse("2.5e3"), .double(2500))
        XCTAssertEqual(try parse("1E-2"), .double(0.01))
        XCTAssertEqual(try parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9""#), .string("a\"b\\c/d\u{8}\u{c}\n\r\té"))
        XCTAssertEqual(try parse("[]"), .array([]))
        XCTAssertEqual(try parse("{}"), .object([:]))
        XCTAssertEqual(
            try parse(#" { "a" : [ 1 , { "b" : null } ] , "c" : "d" } "#), ["a": [1, ["b": nil]], "c": "d"])
    }

    func testObjectKeepsOrderAndLastDuplicateWinsAtFirstPosition() throws {
        let value = try parse(#"{"z": 1, "a": 2, "m": 3, "a": 4}"#)
        XCTAssertEqual(value.objectValue?.keys, ["z", "a", "m"])
        XCTAssertEqual(value["a"], .int(4))
    }

    func testIntegerBoundariesAndBigNumbers() throws {
        XCTAssertEqual(try parse("9223372036854775807"), .int(.max))
        XCTAssertEqual(try parse("-9223372036854775808"), .int(.min))
        XCTAssertEqual(try parse("9223372036854775808"), .double(9_223_372_036_854_775_808))
        XCTAssertEqual(try parse("-9223372036854775809"), .double(-9_223_372_036_854_775_808.0))
        XCTAssertEqual(try parse("123456789012345678901234567890"), .double(1.2345678901234568e29))
        XCTAssertEqual(try parse("1e400"), .double(.infinity))
        XCTAssertEqual(try parse("-1e400"), .double(-.infinity))
        XCTAssertEqual(try parse("1e-400"), .double(0))
        XCTAssertEqual(try parse("-0"), .int(0))
        XCTAssertEqual(try parse("-0.0").doubleValue?.sign, .minus)
    }

    func testPythonNonFiniteLiterals() throws {
        XCTAssertTrue(try parse("NaN").doubleValue?.isNaN ?? false)
        XCTAssertEqual(try parse("Infinity"), .double(.infinity))
        XCTAssertEqual(try parse("[-Infinity]"), [.double(-.infinity)])
        XCTAssertNotNil(parseError(Array("-NaN".utf8)))
        XCTAssertNotNil(parseError(Array("Inf".utf8)))
    }

    func testMalformedNumbers() {
        for text in ["01", "1.", ".5", "1e", "1e+", "-", "+1", "0x10", "1.5.2", "--1"] {
            XCTAssertNotNil(parseError(Array(text.utf8)), text)
        }
    }

    func testSyntaxErrorsCarryByteOffsets() {
        XCTAssertEqual(parseError(Array(#"{"a":1} x"#.utf8))?.offset, 8)
        XCTAssertEqual(parseError(Array(#"{"a":1}{"#.utf8))?.offset, 7)
        XCTAssertEqual(parseError(Array("1 2".utf8))?.offset, 2)
        XCTAssertEqual(parseError(Array(#"[1,]"#.utf8))?.offset, 3)
        XCTAssertEqual(parseError(Array(#"{"a" 1}"#.utf8))?.offset, 5)
        XCTAssertEqual(parseError(Array(#"{a:1}"#.utf8))?.offset, 1)
        XCTAssertEqual(parseError(Array("".utf8))?.offset, 0)
        XCTAssertEqual(parseError(Array("  ".utf8))?.offset, 2)
        let error = parseError(Array(#"[1, 2"#.utf8))
        XCTAssertEqual(error?.offset, 5)
        XCTAssertTrue(error?.description.contains("byte 5") ?? false)
    }

    func testControlCharactersInStringsAreRejected() {
        let error = parseError([0x22, 0x61, 0x0A, 0x22])
        XCTAssertEqual(error?.offset, 2)
        XCTAssertTrue(error?.message.contains("control character") ?? false, "\(String(describing: error))")
        XCTAssertNotNil(parseError([0x22, 0x00, 0x22]))
        XCTAssertNotNil(parseError([0x22, 0x1F, 0x22]))
        // DEL is not a control character in JSON.
        XCTAssertEqual(try JSONParser.strict.parse([0x22, 0x7F, 0x22]), .string("\u{7F}"))
    }

    func testLoneSurrogatesBecomeReplacementCharacter() throws {
        XCTAssertEqual(try parse(#""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(try parse(#""\udbff\udfff""#), .string("\u{10FFFF}"))
        XCTAssertEqual(try parse(#""\ud800""#), .string("\u{FFFD}"))
        XCTAssertEqual(try parse(#""\udc00x""#), .string("\u{FFFD}x"))
        XCTAssertEqual(try parse(#""\ud800\u0041""#), .string("\u{FFFD}A"))
        XCTAssertEqual(try parse(#""\ud800\ud800\udc00""#), .string("\u{FFFD}\u{10000}"))
        XCTAssertNotNil(parseError(Array(#""\u12""#.utf8)))
        XCTAssertNotNil(parseError(Array(#""\uZZZZ""#.utf8)))
        XCTAssertNotNil(parseError(Array(#""\x""#.utf8)))
    }

    func testInvalidUTF8RejectedWhenStrictReplacedWhenLenient() throws {
        let bytes: [UInt8] = [0x22, 0x61, 0xFF, 0x62, 0x22]
        let error = parseError(bytes)
        XCTAssertEqual(error?.offset, 2)
        XCTAssertTrue(error?.message.contains("UTF-8") ?? false)
        XCTAssertEqual(try JSONParser.lenient.parse(bytes), .string("a\u{FFFD}b"))
        // Invalid bytes outside strings are always a syntax error.
        XCTAssertNotNil(parseError([0xFF], .lenient))
        XCTAssertNotNil(parseError([0xEF, 0xBB, 0xBF, 0x31], .lenient))
    }

    /// The lenient parser replaces exactly like the standard library's decoder (maximal subparts).
    func testLenientReplacementMatchesStandardLibrary() throws {
        var generator = SeededRandom(seed: 42)
        let interesting: [UInt8] = [
            0x41, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xA0, 0xED, 0x9F, 0xEF, 0xF0, 0x90, 0xF4, 0x8F, 0xF5, 0xFF, 0xE2,
            0x82, 0xAC,
        ]
        for _ in 0..<3_000 {
            let length = Int.random(in: 0...8, using: &generator)
            let content = (0..<length).map { _ in interesting.randomElement(using: &generator) ?? 0x41 }
            let parsed = try JSONParser.lenient.parse([0x22] + content + [0x22])
            XCTAssertEqual(parsed, .string(String(decoding: content, as: UTF8.self)), "\(content)")
            let strict = try? JSONParser.strict.parse([0x22] + content + [0x22])
            XCTAssertEqual(strict != nil, String(validating: content, as: UTF8.self) != nil, "\(content)")
        }
    }

    func testDeepNestingIsAnErrorNotACrash() throws {
        let deep =
            Array(repeating: UInt8(ascii: "["), count: 10_000) + Array(repeating: UInt8(ascii: "]"), count: 10_000)
        let error = parseError(deep)
        XCTAssertEqual(error?.offset, 64)
        XCTAssertTrue(error?.message.contains("nesting") ?? false)
        XCTAssertNotNil(parseError(Array(repeating: UInt8(ascii: "{"), count: 10_000)))
        // With the limit raised, the non-recursive parser handles it without exhausting the stack.
        let permissive = JSONParser(limits: .init(maxDepth: 20_000))
        var value = try permissive.parse(deep)
        var depth = 0
        while case .array(let inner) = value {
            depth += 1
            guard let first = inner.first else { break }
            value = first
        }
        XCTAssertEqual(depth, 10_000)
        XCTAssertEqual(try JSONParser(limits: .init(maxDepth: 2)).parse("[[1]]"), [[1]])
        XCTAssertNotNil(parseError(Array("[[[1]]]".utf8), JSONParser(limits: .init(maxDepth: 2))))
    }

    func testSizeLimits() {
        let huge = [UInt8](repeating: UInt8(ascii: " "), count: 100 << 20)
        let error = parseError(huge)
        XCTAssertTrue(error?.message.contains("limit") ?? false)

        let limited = JSONParser(limits: .init(maxStringBytes: 4, maxMembers: 3, maxNumberLength: 5))
        XCTAssertNotNil(parseError(Array(#""abcde""#.utf8), limited))
        XCTAssertNotNil(parseError(Array(#""ab\n\n\n""#.utf8), limited))
        XCTAssertNotNil(parseError(Array(#"{"abcde": 1}"#.utf8), limited))
        XCTAssertNotNil(parseError(Array("[1,2,3,4]".utf8), limited))
        XCTAssertNotNil(parseError(Array(#"{"a":1,"b":2,"c":3,"d":4}"#.utf8), limited))
        XCTAssertNotNil(parseError(Array("123456".utf8), limited))
        XCTAssertEqual(try limited.parse(#"["abcd", 12345]"#), ["abcd", 12345])
    }

    func testEveryPrefixOfADocumentFailsCleanly() throws {
        let document = Array(
            #"{"ts": "2026-11-25T13:38:29.971Z", "a": [1, -2.5e3, true, null, "\u00e9\ud83d\ude00"], "b": {"c": NaN}}"#
                .utf8)
        XCTAssertNoThrow(try JSONParser.strict.parse(document))
        for length in 0..<document.count {
            let error = parseError(Array(document[..<length]))
            XCTAssertLessThanOrEqual(error?.offset ?? .max, length)
        }
    }

    func testRandomMutationsNeverCrash() {
        var generator = SeededRandom(seed: 7)
        let document = Array(#"{"a": [1, 2.5, "x\ny", {"b": null, "c": [true, false]}], "d": "é", "e": -1e-7}"#.utf8)
        for _ in 0..<5_000 {
            var mutated = document
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: 0..<mutated.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: mutated[position] = UInt8.random(in: 0...255, using: &generator)
                case 1: mutated.remove(at: position)
                default: mutated.insert(UInt8.random(in: 0...255, using: &generator), at: position)
                }
            }
            _ = try? JSONParser.strict.parse(mutated)
            _ = try? JSONParser.lenient.parse(mutated)
        }
    }

    func testRoundTripsThroughEveryStyle() throws {
        let value: JSONValue = [
            "s": "tab\t quote\" backslash\\ nul\u{0} é 😀", "i": -42, "big": .int(.max), "d": 0.1, "e": 1e-7,
            "n": nil, "b": [true, false, [], [:]], "nested": ["k": [1, [2, [3]]]],
        ]
        for style in [JSONWriter.Style.compact, .python, .pretty(indent: 2), .pretty(indent: 0)] {
            let encoded = JSONWriter(style: style).encode(value)
            XCTAssertEqual(try JSONParser.strict.parse(encoded), value, "\(style)")
        }
    }
}
