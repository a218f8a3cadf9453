import FleetCore
import XCTest

final class JSONWriterTests: XCTestCase {
    /// Produced by Python 3: `json.dumps(ev, ensure_ascii=False)`.
    func testPythonStyleEventLineIsByteExact() throws {
        let event: JSONValue = [
            "ts": "2026-11-25T13:38:29.971Z", "event": "round_end", "round": 12, "exit_code": 0,
            "duration_s": 1834.2, "ratio": 1e-07, "big": 1e16, "tags": ["a", "b"],
            "meta": ["x": nil, "ok": true, "empty": [], "obj": [:]],
            "msg": "café \"quoted\"\n\t\u{01}\u{7F}/\\",
        ]
        let expected =
            #"{"ts": "2026-11-25T13:38:29.971Z", "event": "round_end", "round": 12, "exit_code": 0, "duration_s": 1834.2, "ratio": 1e-07, "big": 1e+16, "tags": ["a", "b"], "meta": {"x": null, "ok": true, "empty": [], "obj": {}}, "msg": "café \"quoted\"\n\t\u0001"#
            + "\u{7F}" + #"/\\"}"#
        XCTAssertEqual(JSONWriter(style: .python).string(event), expected)
        XCTAssertEqual(JSONWriter(style: .python).encode(event), Array(expected.utf8))
    }

    func testCompactStyle() {
        XCTAssertEqual(
            JSONWriter(style: .compact).string(["a": 1, "b": [1, 2], "c": [:]]), #"{"a":1,"b":[1,2],"c":{}}"#)
    }

    /// Produced by Python 3: `json.dumps({"a": [1, 2.5, {"k": [None]}], "b": {}, "c": []}, indent=2)`.
    func testPrettyStyleMatchesPythonIndent() {
        let value: JSONValue = ["a": [1, 2.5, ["k": [nil]]], "b": [:], "c": []]
        let expected =
            "{\n  \"a\": [\n    1,\n    2.5,\n    {\n      \"k\": [\n        null\n      ]\n    }\n  ],\n  \"b\": {},\n  \"c\": []\n}"
        XCTAssertEqual(JSONWriter(style: .pretty(indent: 2)).string(value), expected)
    }

    func testControlCharacterEscapes() {
        let text = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        let expected =
            #""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f""#
        XCTAssertEqual(JSONWriter().string(.string(text)), expected)
    }

    func testFloatFormattingTable() {
        let table: [(Double, String)] = [
            (0.1, "0.1"), (1.0, "1.0"), (1e-07, "1e-07"), (1e16, "1e+16"), (123456.789, "123456.789"),
            (-0.0, "-0.0"), (1.5e300, "1.5e+300"), (0.0, "0.0"), (100.0, "100.0"), (0.0001, "0.0001"),
            (0.00001, "1e-05"), (1234567890123456.0, "1234567890123456.0"),
            (12345678901234567.0, "1.2345678901234568e+16"),
            (1e15, "1000000000000000.0"), (1e22, "1e+22"), (Double.leastNonzeroMagnitude, "5e-324"), (2.5, "2.5"),
            (-1.5, "-1.5"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (0.3, "0.3"), (2.0 / 3.0, "0.6666666666666666"),
            (.nan, "NaN"), (.infinity, "Infinity"), (-.infinity, "-Infinity"),
        ]
        for (value, expected) in table {
            XCTAssertEqual(JSONWriter.formatDouble(value), expected)
        }
        XCTAssertEqual(JSONWriter().string([.double(.nan), .double(-.infinity)]), "[null, null]", "not JSON otherwise")
    }

    /// Random bit patterns and typical magnitudes, with Python 3's `repr` of each.
    func testFloatFormattingMatchesPythonReprOnRandomValues() {
        let table: [(UInt64, String)] = [
            (0xF2A74DE452E6B438, "-1.989032661366619e+244"), (0x6513270E269E0D37, "7.761117632285041e+178"),
            (0x0C5C7FD0A6A3A450, "3.980498358697587e-249"), (0xD23F0824128B2F33, "-1.5432835417340557e+88"),
            (0x36F675CC81E74EF5, "6.294675241195386e-44"), (0x3D9C172411E20B8F, "6.387016158513563e-12"),
            (0x95E60AF593BD04CF, "-3.51527970626667e-203"), (0x3898D190F9EBDACC, "4.6678633181812096e-36"),
            (0x907A70C31012F037, "-2.72491267476498e-229"), (0x7F15052434B9B5DF, "1.441484839555994e+304"),
            (0xC6F877186D76B07E, "-7.939416668807721e+33"), (0x411BA9018167572D, "453184.37637077534"),
            (0x41124BDBFCC9D549, "299766.99686368235"), (0x412187AF6BA70647, "574423.710258671"),
            (0x3E7A4FB5D3CAE4B9, "9.80174847492582e-08"), (0x3ED578D63FF5B895, "5.1193283064754915e-06"),
            (0x3EA967CA83083969, "7.571409295652494e-07"), (0x408D2A296500F68E, "933.2702121806376"),
            (0x41ED3630D917CCEE, "3920725704.743766"), (0x439FCF303A05454C, "5.7302594027738394e+17"),
            (0x3FEA2FF359414707, "0.8183533423673176"), (0x41C4B8AEC3230744, "695295366.2736592"),
            (0x42FC3B91CBE20ABA, "496674795298987.6"),
        ]
        for (bits, expected) in table {
            XCTAssertEqual(JSONWriter.formatDouble(Double(bitPattern: bits)), expected)
        }
    }

    func testIntegersAndNonASCIIAreWrittenRaw() {
        XCTAssertEqual(
            JSONWriter().string([.int(.min), .int(.max), "日本語 😀"]),
            #"[-9223372036854775808, 9223372036854775807, "日本語 😀"]"#)
    }
}
