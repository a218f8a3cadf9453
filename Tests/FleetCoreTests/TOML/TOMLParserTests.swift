import FleetCore
import XCTest

/// Focused tests for behaviour the conformance suite does not check: source positions of keys
/// and errors, the nesting depth cap, and the public convenience API.
final class TOMLParserTests: XCTestCase {
    // MARK: - Helpers

    private func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> TOMLTable {
        do {
            return try TOML.parse(text)
        } catch {
            XCTFail("unexpected parse error: \(error)", file: file, line: line)
            throw error
        }
    }

    private func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> TOMLParseError? {
        parseError(Array(text.utf8), file: file, line: line)
    }

    private func parseError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> TOMLParseError? {
        do {
            let table = try TOML.parse(bytes)
            XCTFail("expected a parse error, got \(table.keys)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    private func assertError(
        _ text: String, line expectedLine: Int, column expectedColumn: Int, contains fragment: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        guard let error = parseError(text, file: file, line: line) else { return }
        XCTAssertEqual(
            error.position, TOMLPosition(line: expectedLine, column: expectedColumn), "\(error)", file: file, line: line
        )
        XCTAssertTrue(
            error.message.contains(fragment), "message \"\(error.message)\" lacks \"\(fragment)\"", file: file,
            line: line)
    }

    // MARK: - Key positions

    func testPositionsOfPlainDottedAndHeaderKeys() throws {
        let document = """
            title = "fleet"
            [runtime]
            max_rounds = 5
              limits.cpu.cores = 4
            """
        let root = try parse(document)
        XCTAssertEqual(root.position(of: "title"), TOMLPosition(line: 1, column: 1))
        XCTAssertEqual(root.position(of: "runtime"), TOMLPosition(line: 2, column: 1))

        let runtime = try XCTUnwrap(root["runtime"]?.tableValue)
        XCTAssertEqual(runtime.position(of: "max_rounds"), TOMLPosition(line: 3, column: 1))
        XCTAssertEqual(runtime.position(of: "limits"), TOMLPosition(line: 4, column: 3))
        let limits = try XCTUnwrap(runtime["limits"]?.tableValue)
        XCTAssertEqual(limits.position(of: "cpu"), TOMLPosition(line: 4, column: 10))
        let cpu = try XCTUnwrap(limits["cpu"]?.tableValue)
        XCTAssertEqual(cpu.position(of: "cores"), TOMLPosition(line: 4, column: 14))
        XCTAssertNil(runtime.position(of: "missing"))
    }

    func testPositionsInsideArrayOfTables() throws {
        let document = """
            [[agents]]
            name = "planner"

            [[agents]]
              name = "coder"
              tools.shell = true
            """
        let root = try parse(document)
        XCTAssertEqual(root.position(of: "agents"), TOMLPosition(line: 1, column: 1))
        let agents = try XCTUnwrap(root["agents"]?.arrayValue)
        XCTAssertEqual(agents.count, 2)
        let first = try XCTUnwrap(agents[0].tableValue)
        let second = try XCTUnwrap(agents[1].tableValue)
        XCTAssertEqual(first.position(of: "name"), TOMLPosition(line: 2, column: 1))
        XCTAssertEqual(second.position(of: "name"), TOMLPosition(line: 5, column: 3))
        XCTAssertEqual(second.position(of: "tools"), TOMLPosition(line: 6, column: 3))
        XCTAssertEqual(second["tools"]?.tableValue?.position(of: "shell"), TOMLPosition(line: 6, column: 9))
    }

    func testImplicitTablePositionMovesToItsOwnHeader() throws {
        let root = try parse("[a.b]\nx = 1\n\n[a]\ny = 2\n")
        XCTAssertEqual(root.position(of: "a"), TOMLPosition(line: 4, column: 1))
        XCTAssertEqual(root["a"]?.tableValue?.position(of: "b"), TOMLPosition(line: 1, column: 1))
    }

    func testPositionsInInlineTablesAndColumnsCountScalars() throws {
        let root = try parse("\"ключ\" = { inner = 1, \"é\".x = 2 }\n")
        let inline = try XCTUnwrap(root["ключ"]?.tableValue)
        XCTAssertEqual(inline.position(of: "inner"), TOMLPosition(line: 1, column: 12))
        XCTAssertEqual(inline.position(of: "é"), TOMLPosition(line: 1, column: 23))
    }

    func testBOMIsSkippedAndNotCountedAsAColumn() throws {
        let root = try TOML.parse([0xEF, 0xBB, 0xBF] + Array("key = 1\n".utf8))
        XCTAssertEqual(root["key"]?.intValue, 1)
        XCTAssertEqual(root.position(of: "key"), TOMLPosition(line: 1, column: 1))
    }

    // MARK: - Error positions

    func testErrorPositionOfBadValue() {
        assertError("a = 1\nb = 1__2\n", line: 2, column: 5, contains: "underscores")
        assertError("ok = true\nflag = maybe\n", line: 2, column: 8, contains: "expected a value")
        assertError("when = 2023-02-29\n", line: 1, column: 8, contains: "day out of range")
        assertError("big = 9223372036854775808\n", line: 1, column: 7, contains: "out of range")
    }

    func testErrorPositionInsideStrings() {
        assertError("s = \"abc\\q\"\n", line: 1, column: 9, contains: "invalid escape")
        assertError("s = \"\\uD800\"\n", line: 1, column: 6, contains: "not a Unicode scalar")
        assertError("x = 1\ns = \"open\n", line: 2, column: 5, contains: "unterminated")
    }

    func testErrorPositionCountsScalarsAndUsesDescriptionFormat() throws {
        let error = try XCTUnwrap(parseError("a = \"é\" b\n"))
        XCTAssertEqual(error.position, TOMLPosition(line: 1, column: 9))
        XCTAssertEqual(error.description, "line 1, column 9: expected end of line, found 'b'")
    }

    func testRedefinitionErrorsPointAtTheKey() {
        assertError("a = 1\na = 2\n", line: 2, column: 1, contains: "already defined")
        assertError("[t]\nx = 1\n[t]\n", line: 3, column: 2, contains: "already defined")
        assertError("a = {}\n[a.b]\n", line: 2, column: 2, contains: "inline table")
        assertError("a = [1]\n[[a]]\n", line: 2, column: 3, contains: "static array")
    }

    func testEncodingErrorsArePositioned() throws {
        let invalidUTF8 = try XCTUnwrap(parseError(Array("a = \"".utf8) + [0xFF] + Array("\"\n".utf8)))
        XCTAssertEqual(invalidUTF8.position, TOMLPosition(line: 1, column: 6))
        let bareCR = try XCTUnwrap(parseError("a = 1\rb = 2\n"))
        XCTAssertEqual(bareCR.position, TOMLPosition(line: 1, column: 6))
    }

    // MARK: - Depth cap

    func testArrayNestingIsCapped() throws {
        let atLimit = "a = " + String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        XCTAssertNoThrow(try TOML.parse(atLimit))
        let overLimit = "a = " + String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
        XCTAssertTrue(parseError(overLimit)?.message.contains("nesting") ?? false)
    }

    func testHostileNestingFailsWithoutCrashing() {
        let arrays = "a = " + String(repeating: "[", count: 100_000)
        XCTAssertTrue(parseError(arrays)?.message.contains("nesting") ?? false)
        let inlineTables = "a = " + String(repeating: "{b = ", count: 100_000)
        XCTAssertTrue(parseError(inlineTables)?.message.contains("nesting") ?? false)
        let header = "[" + Array(repeating: "k", count: 10_000).joined(separator: ".") + "]"
        XCTAssertTrue(parseError(header)?.message.contains("nesting") ?? false)
        let dotted = Array(repeating: "k", count: 10_000).joined(separator: ".") + " = 1"
        XCTAssertTrue(parseError(dotted)?.message.contains("nesting") ?? false)
    }

    func testDepthCountsTablesAndValuesTogether() {
        let header = "[" + Array(repeating: "t", count: 100).joined(separator: ".") + "]\n"
        let value = "v = " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "\n"
        let error = parseError(header + value)
        XCTAssertEqual(error?.position.line, 2)
        XCTAssertTrue(error?.message.contains("nesting") ?? false)
    }

    // MARK: - Values and edge cases

    func testIntegerLimits() throws {
        let root = try parse(
            """
            max = 9223372036854775807
            min = -9223372036854775808
            hex = 0x7FFF_FFFF_FFFF_FFFF
            oct = 0o755
            bin = 0b1101
            """)
        XCTAssertEqual(root["max"], .integer(.max))
        XCTAssertEqual(root["min"], .integer(.min))
        XCTAssertEqual(root["hex"], .integer(.max))
        XCTAssertEqual(root["oct"], .integer(0o755))
        XCTAssertEqual(root["bin"], .integer(13))
        XCTAssertNotNil(parseError("x = -9223372036854775809"))
        XCTAssertNotNil(parseError("x = 0x8000000000000000"))
        XCTAssertNotNil(parseError("x = 0b" + String(repeating: "1", count: 65)))
    }

    func testFloats() throws {
        let root = try parse("a = inf\nb = -inf\nc = nan\nd = -0.0\ne = 6.626e-34\nf = 1_000.5E2\n")
        XCTAssertEqual(root["a"]?.doubleValue, .infinity)
        XCTAssertEqual(root["b"]?.doubleValue, -.infinity)
        XCTAssertTrue(root["c"]?.doubleValue?.isNaN ?? false)
        XCTAssertEqual(root["d"]?.doubleValue, 0)
        XCTAssertEqual(root["d"]?.doubleValue?.sign, .minus)
        XCTAssertEqual(root["e"]?.doubleValue, 6.626e-34)
        XCTAssertEqual(root["f"]?.doubleValue, 100_050)
        XCTAssertTrue(parseError("x = 1e400")?.message.contains("out of range") ?? false)
    }

    func testDateTimesAndCanonicalForms() throws {
        let root = try parse(
            """
            odt = 1979-05-27 07:32:00.999999-07:00
            utc = 1979-05-27t07:32:00z
            ldt = 1979-05-27T07:32:00
            ld = 2000-02-29
            lt = 00:32:00.1234567891
            """)
        guard case .offsetDateTime(let odt) = root["odt"], case .offsetDateTime(let utc) = root["utc"],
            case .localDateTime(let ldt) = root["ldt"], case .localDate(let date) = root["ld"],
            case .localTime(let time) = root["lt"]
        else {
            return XCTFail("wrong date-time kinds: \(root)")
        }
        XCTAssertEqual(odt.description, "1979-05-27T07:32:00.999999-07:00")
        XCTAssertEqual(odt.offsetMinutes, -420)
        XCTAssertEqual(utc.description, "1979-05-27T07:32:00Z")
        XCTAssertEqual(ldt.description, "1979-05-27T07:32:00")
        XCTAssertNil(ldt.offsetMinutes)
        XCTAssertEqual(date.description, "2000-02-29")
        XCTAssertEqual(time.nanosecond, 123_456_789)
        XCTAssertEqual(time.description, "00:32:00.123456789")
        XCTAssertEqual(root["ld"]?.typeName, "local date")
        XCTAssertNotNil(parseError("x = 1900-02-29"))
        XCTAssertNotNil(parseError("x = 1979-05-27T07:32:00+24:00"))
    }

    func testMultilineStrings() throws {
        let root = try parse(
            """
            a = \"\"\"
            one "two" ""three""\"\"\"
            b = \"\"\"fold \\
                   ed\"\"\"
            c = '''
            raw \\n'''
            """)
        XCTAssertEqual(root["a"]?.stringValue, "one \"two\" \"\"three\"\"")
        XCTAssertEqual(root["b"]?.stringValue, "fold ed")
        XCTAssertEqual(root["c"]?.stringValue, "raw \\n")

        let crlf = try TOML.parse(Array("s = \"\"\"\r\nx\r\ny\"\"\"\r\n".utf8))
        XCTAssertEqual(crlf["s"]?.stringValue, "x\ny")
    }

    func testUnicodeEscapes() throws {
        let root = try parse(#"s = "\u00E9\U0001F600\t""#)
        XCTAssertEqual(root["s"]?.stringValue, "é😀\t")
        XCTAssertNotNil(parseError(#"s = "\U00110000""#))
    }

    func testInlineTablesAreImmutable() {
        XCTAssertNotNil(parseError("a = { b = 1 }\na.c = 2\n"))
        XCTAssertNotNil(parseError("a = { b = 1, }\n"))
        XCTAssertNotNil(parseError("a = { b = 1,\n c = 2 }\n"))
    }

    func testSuperTableMayBeDefinedOnceAfterSubTable() throws {
        let root = try parse("[x.y]\na = 1\n[x]\nb = 2\n")
        XCTAssertEqual(root["x"]?.tableValue?["b"]?.intValue, 2)
        XCTAssertEqual(root["x"]?.tableValue?["y"]?.tableValue?["a"]?.intValue, 1)
        XCTAssertNotNil(parseError("[x.y]\n[x]\n[x]\n"))
    }

    func testAccessorsAndTypeNames() throws {
        let root = try parse(
            """
            s = "text"
            i = 3
            f = 2.5
            b = true
            arr = [1, "two"]
            t = { k = 1 }
            """)
        XCTAssertEqual(root.keys, ["s", "i", "f", "b", "arr", "t"])
        XCTAssertEqual(root.map(\.key), root.keys)
        XCTAssertEqual(root["s"]?.typeName, "string")
        XCTAssertEqual(root["i"]?.typeName, "integer")
        XCTAssertEqual(root["t"]?.typeName, "table")
        XCTAssertEqual(root["i"]?.doubleValue, 3)
        XCTAssertNil(root["f"]?.intValue)
        XCTAssertNil(root["s"]?.boolValue)
        XCTAssertEqual(root["b"]?.boolValue, true)
        XCTAssertEqual(root["arr"]?.arrayValue?.count, 2)
        XCTAssertEqual(root["t"]?.tableValue?["k"]?.intValue, 1)
        XCTAssertEqual(try TOML.parse("b = 2\na = 1"), try TOML.parse("a = 1\n\n\nb = 2"))
    }

    func testKeysAreComparedByExactBytes() throws {
        let root = try parse("\"\u{E9}\" = 1\n\"e\u{301}\" = 2\n")
        XCTAssertEqual(root.count, 2)
        XCTAssertEqual(root["\u{E9}"]?.intValue, 1)
        XCTAssertEqual(root["e\u{301}"]?.intValue, 2)
    }

    func testLargeTablesUseIndexedLookup() throws {
        let document = (0..<50).map { "key\($0) = \($0)" }.joined(separator: "\n") + "\nkey7 = 0\n"
        let error = try XCTUnwrap(parseError(document))
        XCTAssertEqual(error.position, TOMLPosition(line: 51, column: 1))
        let root = try parse((0..<50).map { "key\($0) = \($0)" }.joined(separator: "\n"))
        XCTAssertEqual(root["key42"]?.intValue, 42)
        XCTAssertEqual(root.position(of: "key42"), TOMLPosition(line: 43, column: 1))
    }

    func testEmptyDocumentsAndComments() throws {
        XCTAssertTrue(try TOML.parse("").isEmpty)
        XCTAssertTrue(try TOML.parse("# only a comment\r\n\t \n").isEmpty)
        XCTAssertNotNil(parseError("# bell \u{07}\n"))
    }
}
