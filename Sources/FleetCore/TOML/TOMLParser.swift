/// A recursive-descent parser for TOML 1.0.0 working directly on validated UTF-8 bytes.
///
/// Byte-level scanning keeps parsing fast (no `Character` grapheme breaking) and lets every
/// error carry an exact position. Recursion only happens for nested arrays and inline tables,
/// and is bounded by `maxDepth`, so hostile input cannot overflow the stack.
struct TOMLParser {
    /// Maximum nesting of tables and arrays (counted from the root table) before the parser
    /// gives up with an error instead of risking a stack overflow.
    static let maxDepth = 128

    /// A single component of a (possibly dotted) key, with the position where it starts.
    private struct KeyPart {
        var name: String
        var position: TOMLPosition
    }

    private let source: TOMLSource
    private let bytes: [UInt8]
    private var index: Int
    private let root = TOMLTableBuilder(kind: .explicit, depth: 0)
    /// The table selected by the most recent `[header]` / `[[header]]` (the root before any).
    private var current: TOMLTableBuilder
    /// Where the last key position was computed, so the next one is found incrementally.
    private var positionCursor = TOMLSource.Cursor()

    init(source: TOMLSource) {
        self.source = source
        self.bytes = source.bytes
        self.index = source.contentStart
        self.current = root
    }

    /// Parses the whole document: `expression *( newline expression )`.
    mutating func parse() throws(TOMLParseError) -> TOMLTable {
        while true {
            skipWhitespace()
            switch peek() {
            case 0:
                return root.build()
            case UInt8(ascii: "#"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                break
            case UInt8(ascii: "["):
                try parseTableHeader()
            default:
                try parseKeyValue(into: current)
            }
            try finishLine()
        }
    }

    // MARK: - Lines, whitespace and comments

    /// The byte `ahead` positions from the cursor, or 0 at end of input (NUL is rejected by
    /// `TOMLSource`, so 0 unambiguously means end of input).
    private func peek(_ ahead: Int = 0) -> UInt8 {
        let offset = index + ahead
        return offset < bytes.count ? bytes[offset] : 0
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
            index += 1
        }
    }

    /// Skips whitespace, newlines and comments, as allowed between array elements.
    private mutating func skipWhitespaceCommentsAndNewlines() throws(TOMLParseError) {
        while true {
            switch peek() {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"):
                index += 1
            case UInt8(ascii: "\r"):
                index += 2  // TOMLSource guarantees CR is followed by LF.
            case UInt8(ascii: "#"):
                try skipComment()
            default:
                return
            }
        }
    }

    /// Skips a comment starting at `#` up to (not including) the line break.
    private mutating func skipComment() throws(TOMLParseError) {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { return }
            if TOMLParser.isControl(byte) {
                throw error("\(describe(at: index)) is not allowed in a comment", at: index)
            }
            index += 1
        }
    }

    /// Consumes optional trailing whitespace and comment, then the line break (or end of input)
    /// that must end every expression.
    private mutating func finishLine() throws(TOMLParseError) {
        skipWhitespace()
        if peek() == UInt8(ascii: "#") { try skipComment() }
        switch peek() {
        case 0:
            return
        case UInt8(ascii: "\n"):
            index += 1
        case UInt8(ascii: "\r"):
            index += 2
        default:
            throw error("expected end of line, found \(describe(at: index))", at: index)
        }
    }

    // MARK: - Keys and tables

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// Parses `simple-key *( ws "." ws simple-key )`, returning at least one part.
    private mutating func parseKey() throws(TOMLParseError) -> [KeyPart] {
        var parts: [KeyPart] = []
        while true {
            skipWhitespace()
            parts.append(try parseSimpleKey())
            skipWhitespace()
            guard peek() == UInt8(ascii: ".") else { return parts }
            index += 1
        }
    }

    private mutating func parseSimpleKey() throws(TOMLParseError) -> KeyPart {
        let start = index
        switch peek() {
        case UInt8(ascii: "\""):
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                throw error("multi-line strings cannot be used as keys", at: start)
            }
            return KeyPart(name: try parseBasicString(), position: source.position(at: start, cursor: &positionCursor))
        case UInt8(ascii: "'"):
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                throw error("multi-line strings cannot be used as keys", at: start)
            }
            return KeyPart(
                name: try parseLiteralString(), position: source.position(at: start, cursor: &positionCursor))
        default:
            while TOMLParser.isBareKeyByte(peek()) { index += 1 }
            guard index > start else {
                throw error("expected a key, found \(describe(at: start))", at: start)
            }
            let name = String(decoding: bytes[start..<index], as: UTF8.self)
            return KeyPart(name: name, position: source.position(at: start, cursor: &positionCursor))
        }
    }

    /// Parses `key = value` and stores it in `table` (the current header's table, or an inline
    /// table under construction), creating tables for dotted key prefixes.
    private mutating func parseKeyValue(into table: TOMLTableBuilder) throws(TOMLParseError) {
        let key = try parseKey()
        guard peek() == UInt8(ascii: "=") else {
            throw error("expected '=' after key, found \(describe(at: index))", at: index)
        }
        index += 1
        skipWhitespace()
        var target = table
        for position in 0..<(key.count - 1) {
            target = try descendDottedKey(from: target, key: key, through: position)
        }
        let last = key[key.count - 1]
        if let existing = target.entry(for: last.name) {
            throw error(
                "\(keyPath(key, through: key.count - 1)) is already defined\(TOMLParser.asWhat(existing))",
                at: last.position)
        }
        let value = try parseValue(depth: target.depth + 1)
        target.append(.value(value), for: last.name, at: last.position)
    }

    /// Steps from `table` into the table named by `key[position]` of a dotted key, creating it if
    /// needed. Dotted keys may only extend tables that dotted keys created (or header-implied
    /// intermediates), never tables defined by a header, inline tables or arrays.
    private func descendDottedKey(
        from table: TOMLTableBuilder, key: [KeyPart], through position: Int
    ) throws(TOMLParseError) -> TOMLTableBuilder {
        let part = key[position]
        switch table.entry(for: part.name) {
        case nil:
            let child = try makeTable(.dotted, depth: table.depth + 1, at: part.position)
            table.append(.table(child), for: part.name, at: part.position)
            return child
        case .table(let child)?:
            switch child.kind {
            case .dotted:
                return child
            case .implicit:
                child.kind = .dotted
                return child
            case .explicit:
                throw error(
                    "cannot add keys to table \(keyPath(key, through: position)) with dotted keys because it is defined by a [table] header",
                    at: part.position)
            }
        case .arrayOfTables?:
            throw error(
                "cannot add keys to array of tables \(keyPath(key, through: position)) with dotted keys",
                at: part.position)
        case .value(let value)?:
            throw error(TOMLParser.cannotExtend(value, named: keyPath(key, through: position)), at: part.position)
        }
    }

    /// Parses `[a.b.c]` or `[[a.b.c]]` and makes the named table the current one.
    private mutating func parseTableHeader() throws(TOMLParseError) {
        let headerStart = index
        let isArray = peek(1) == UInt8(ascii: "[")
        index += isArray ? 2 : 1
        let key = try parseKey()
        guard peek() == UInt8(ascii: "]"), !isArray || peek(1) == UInt8(ascii: "]") else {
            throw error(
                "expected '\(isArray ? "]]" : "]")' to close the table header, found \(describe(at: index))", at: index)
        }
        index += isArray ? 2 : 1
        let headerPosition = source.position(at: headerStart, cursor: &positionCursor)

        var table = root
        for position in 0..<(key.count - 1) {
            table = try descendHeader(from: table, key: key, through: position, headerPosition: headerPosition)
        }
        let last = key[key.count - 1]
        let path = keyPath(key, through: key.count - 1)
        if isArray {
            current = try appendArrayElement(to: table, last: last, path: path, headerPosition: headerPosition)
        } else {
            current = try defineTable(in: table, last: last, path: path, headerPosition: headerPosition)
        }
    }

    /// Steps through an intermediate component of a header's key, creating an implicit table
    /// if needed; arrays of tables resolve to their most recent element.
    private func descendHeader(
        from table: TOMLTableBuilder, key: [KeyPart], through position: Int, headerPosition: TOMLPosition
    ) throws(TOMLParseError) -> TOMLTableBuilder {
        let part = key[position]
        switch table.entry(for: part.name) {
        case nil:
            let child = try makeTable(.implicit, depth: table.depth + 1, at: part.position)
            table.append(.table(child), for: part.name, at: headerPosition)
            return child
        case .table(let child)?:
            return child
        case .arrayOfTables(let array)?:
            guard let last = array.tables.last else {
                throw error("array of tables \(keyPath(key, through: position)) has no elements", at: part.position)
            }
            return last
        case .value(let value)?:
            throw error(TOMLParser.cannotExtend(value, named: keyPath(key, through: position)), at: part.position)
        }
    }

    /// Handles the last component of a `[table]` header: defines a new table, or gives an
    /// implicitly created one its definition; any other existing key is a redefinition.
    private func defineTable(
        in table: TOMLTableBuilder, last: KeyPart, path: String, headerPosition: TOMLPosition
    ) throws(TOMLParseError) -> TOMLTableBuilder {
        switch table.entry(for: last.name) {
        case nil:
            let child = try makeTable(.explicit, depth: table.depth + 1, at: last.position)
            table.append(.table(child), for: last.name, at: headerPosition)
            return child
        case .table(let child)?:
            switch child.kind {
            case .implicit:
                child.kind = .explicit
                table.setPosition(headerPosition, for: last.name)
                return child
            case .explicit:
                throw error("table \(path) is already defined", at: last.position)
            case .dotted:
                throw error("table \(path) is already defined by dotted keys", at: last.position)
            }
        case .arrayOfTables?:
            throw error("\(path) is already defined as an array of tables", at: last.position)
        case .value(let value)?:
            throw error("\(path) is already defined as \(TOMLParser.article(value))", at: last.position)
        }
    }

    /// Handles the last component of a `[[array]]` header: starts the array of tables or appends
    /// a new element to it, returning the new element.
    private func appendArrayElement(
        to table: TOMLTableBuilder, last: KeyPart, path: String, headerPosition: TOMLPosition
    ) throws(TOMLParseError) -> TOMLTableBuilder {
        let element = try makeTable(.explicit, depth: table.depth + 2, at: last.position)
        switch table.entry(for: last.name) {
        case nil:
            table.append(
                .arrayOfTables(TOMLTableBuilder.TableArray(first: element)), for: last.name, at: headerPosition)
        case .arrayOfTables(let array)?:
            array.tables.append(element)
        case .table?:
            throw error("\(path) is already defined as a table", at: last.position)
        case .value(let value)?:
            if case .array = value {
                throw error(
                    "cannot append to static array \(path) with an [[array of tables]] header", at: last.position)
            }
            throw error("\(path) is already defined as \(TOMLParser.article(value))", at: last.position)
        }
        return element
    }

    private func makeTable(
        _ kind: TOMLTableBuilder.Kind, depth: Int, at position: TOMLPosition
    ) throws(TOMLParseError) -> TOMLTableBuilder {
        guard depth <= TOMLParser.maxDepth else { throw depthError(at: position) }
        return TOMLTableBuilder(kind: kind, depth: depth)
    }

    // MARK: - Values

    /// Parses any value. `depth` is the nesting level an array or inline table starting here
    /// would have.
    private mutating func parseValue(depth: Int) throws(TOMLParseError) -> TOMLValue {
        let start = index
        switch peek() {
        case UInt8(ascii: "\""):
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                return .string(try parseMultilineString(quote: UInt8(ascii: "\"")))
            }
            return .string(try parseBasicString())
        case UInt8(ascii: "'"):
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                return .string(try parseMultilineString(quote: UInt8(ascii: "'")))
            }
            return .string(try parseLiteralString())
        case UInt8(ascii: "["):
            return try parseArray(depth: depth)
        case UInt8(ascii: "{"):
            return try parseInlineTable(depth: depth)
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            let end = tokenEnd(from: start)
            if bytesEqual(start..<end, "true") {
                index = end
                return .boolean(true)
            }
            if bytesEqual(start..<end, "false") {
                index = end
                return .boolean(false)
            }
            throw error("invalid value '\(text(start, end))'", at: start)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"),
            UInt8(ascii: "i"), UInt8(ascii: "n"):
            return try parseNumberOrDateTime()
        default:
            throw error("expected a value, found \(describe(at: start))", at: start)
        }
    }

    /// Parses `[ value, value, ... ]`, allowing newlines, comments and a trailing comma.
    private mutating func parseArray(depth: Int) throws(TOMLParseError) -> TOMLValue {
        let open = index
        guard depth <= TOMLParser.maxDepth else { throw depthError(at: source.position(at: open)) }
        index += 1
        var elements: [TOMLValue] = []
        while true {
            try skipWhitespaceCommentsAndNewlines()
            if peek() == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            elements.append(try parseValue(depth: depth + 1))
            try skipWhitespaceCommentsAndNewlines()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            case 0:
                throw error("unterminated array", at: open)
            default:
                throw error("expected ',' or ']' in array, found \(describe(at: index))", at: index)
            }
        }
    }

    /// Parses `{ key = value, ... }` on a single line, without a trailing comma. The result is
    /// a finished value, which makes the table immutable afterwards.
    private mutating func parseInlineTable(depth: Int) throws(TOMLParseError) -> TOMLValue {
        let open = index
        guard depth <= TOMLParser.maxDepth else { throw depthError(at: source.position(at: open)) }
        index += 1
        let table = TOMLTableBuilder(kind: .explicit, depth: depth)
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return .table(table.build())
        }
        while true {
            skipWhitespace()
            try rejectNewlineInInlineTable()
            try parseKeyValue(into: table)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "}") {
                    throw error("trailing comma is not allowed in an inline table", at: index)
                }
            case UInt8(ascii: "}"):
                index += 1
                return .table(table.build())
            case 0:
                throw error("unterminated inline table", at: open)
            default:
                try rejectNewlineInInlineTable()
                throw error("expected ',' or '}' in inline table, found \(describe(at: index))", at: index)
            }
        }
    }

    private func rejectNewlineInInlineTable() throws(TOMLParseError) {
        if peek() == UInt8(ascii: "\n") || peek() == UInt8(ascii: "\r") {
            throw error("newlines are not allowed inside an inline table", at: index)
        }
    }

    // MARK: - Strings

    /// Parses a single-line basic string `"..."`, resolving escapes.
    private mutating func parseBasicString() throws(TOMLParseError) -> String {
        let open = index
        index += 1
        var buffer: [UInt8] = []
        var escaped = false
        var segmentStart = index
        while true {
            let byte = peek()
            switch byte {
            case UInt8(ascii: "\""):
                defer { index += 1 }
                guard escaped else { return String(decoding: bytes[segmentStart..<index], as: UTF8.self) }
                buffer.append(contentsOf: bytes[segmentStart..<index])
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                buffer.append(contentsOf: bytes[segmentStart..<index])
                escaped = true
                try parseEscape(into: &buffer)
                segmentStart = index
            case 0, UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error("unterminated string", at: open)
            default:
                if TOMLParser.isControl(byte) {
                    throw error("\(describe(at: index)) must be escaped in a string", at: index)
                }
                index += 1
            }
        }
    }

    /// Parses a single-line literal string `'...'` (no escapes).
    private mutating func parseLiteralString() throws(TOMLParseError) -> String {
        let open = index
        index += 1
        let start = index
        while true {
            let byte = peek()
            switch byte {
            case UInt8(ascii: "'"):
                defer { index += 1 }
                return String(decoding: bytes[start..<index], as: UTF8.self)
            case 0, UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error("unterminated string", at: open)
            default:
                if TOMLParser.isControl(byte) {
                    throw error("\(describe(at: index)) is not allowed in a literal string", at: index)
                }
                index += 1
            }
        }
    }

    /// Parses a multi-line basic (`"""`) or literal (`'''`) string. A newline right after the
    /// opening delimiter is dropped, CRLF is normalized to LF, up to two quotes may directly
    /// precede the closing delimiter, and in basic strings escapes and line-ending backslashes
    /// are resolved.
    private mutating func parseMultilineString(quote: UInt8) throws(TOMLParseError) -> String {
        let open = index
        let isBasic = quote == UInt8(ascii: "\"")
        index += 3
        if peek() == UInt8(ascii: "\n") {
            index += 1
        } else if peek() == UInt8(ascii: "\r") {
            index += 2
        }
        var buffer: [UInt8] = []
        var rewritten = false
        var segmentStart = index
        while true {
            let byte = peek()
            switch byte {
            case quote:
                var run = 1
                while peek(run) == quote { run += 1 }
                guard run >= 3 else {
                    index += run
                    continue
                }
                guard run <= 5 else {
                    throw error("too many quotes at the end of a multi-line string", at: index)
                }
                let contentEnd = index + run - 3
                index += run
                guard rewritten else { return String(decoding: bytes[segmentStart..<contentEnd], as: UTF8.self) }
                buffer.append(contentsOf: bytes[segmentStart..<contentEnd])
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\") where isBasic:
                buffer.append(contentsOf: bytes[segmentStart..<index])
                rewritten = true
                if isLineEndingBackslash() {
                    index += 1
                    skipWhitespaceAndNewlines()
                } else {
                    try parseEscape(into: &buffer)
                }
                segmentStart = index
            case UInt8(ascii: "\r"):
                buffer.append(contentsOf: bytes[segmentStart..<index])
                buffer.append(UInt8(ascii: "\n"))
                rewritten = true
                index += 2
                segmentStart = index
            case UInt8(ascii: "\n"):
                index += 1
            case 0:
                throw error("unterminated multi-line string", at: open)
            default:
                if TOMLParser.isControl(byte) {
                    throw error("\(describe(at: index)) is not allowed in a string", at: index)
                }
                index += 1
            }
        }
    }

    /// Whether the backslash at the cursor is followed by optional whitespace and a newline.
    private func isLineEndingBackslash() -> Bool {
        var ahead = 1
        while peek(ahead) == UInt8(ascii: " ") || peek(ahead) == UInt8(ascii: "\t") { ahead += 1 }
        return peek(ahead) == UInt8(ascii: "\n") || peek(ahead) == UInt8(ascii: "\r")
    }

    /// Skips the whitespace and newlines a line-ending backslash trims.
    private mutating func skipWhitespaceAndNewlines() {
        while true {
            switch peek() {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"):
                index += 1
            case UInt8(ascii: "\r"):
                index += 2
            default:
                return
            }
        }
    }

    /// Decodes the escape sequence at the cursor (a backslash) and appends its UTF-8 bytes.
    private mutating func parseEscape(into buffer: inout [UInt8]) throws(TOMLParseError) {
        let start = index
        let letter = peek(1)
        index += 2
        switch letter {
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let digitCount = letter == UInt8(ascii: "u") ? 4 : 8
            var code: UInt32 = 0
            for _ in 0..<digitCount {
                guard let digit = TOMLParser.digitValue(peek(), radix: 16) else {
                    throw error(
                        "\\\(Character(Unicode.Scalar(letter))) escape needs exactly \(digitCount) hexadecimal digits",
                        at: start)
                }
                code = code << 4 | UInt32(digit)
                index += 1
            }
            guard let scalar = Unicode.Scalar(code) else {
                throw error("escape \(text(start, index)) is not a Unicode scalar value", at: start)
            }
            UTF8.encode(scalar) { buffer.append($0) }
        default:
            let next = start + 1
            guard next < bytes.count, bytes[next] >= 0x20, bytes[next] != 0x7F else {
                throw error("invalid escape sequence: backslash followed by \(describe(at: next))", at: start)
            }
            throw error("invalid escape sequence '\\\(describeRaw(at: next))'", at: start)
        }
    }

    // MARK: - Numbers and date-times

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// The value of `byte` as a digit in `radix` (2, 8, 10 or 16), or `nil`.
    private static func digitValue(_ byte: UInt8, radix: UInt64) -> UInt64? {
        let value: UInt64
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): value = UInt64(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): value = UInt64(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
        return value < radix ? value : nil
    }

    /// End of the run of characters that can belong to a number, boolean or date-time token;
    /// used to delimit numbers and to quote the offending text in errors.
    private func tokenEnd(from start: Int) -> Int {
        var end = start
        while end < bytes.count, TOMLParser.isNumberByte(bytes[end]) || bytes[end] == UInt8(ascii: ":") {
            end += 1
        }
        return end
    }

    /// Whether `bytes[range]` spells exactly the ASCII `word`.
    private func bytesEqual(_ range: Range<Int>, _ word: StaticString) -> Bool {
        word.withUTF8Buffer { word in
            range.count == word.count && zip(bytes[range], word).allSatisfy { $0 == $1 }
        }
    }

    /// `count` decimal digits starting at `offset` as a number, or `nil` if any is missing.
    private func fixedDigits(at offset: Int, count: Int) -> Int? {
        var value = 0
        for position in offset..<(offset + count) {
            guard position < bytes.count, TOMLParser.isDigit(bytes[position]) else { return nil }
            value = value * 10 + Int(bytes[position] - UInt8(ascii: "0"))
        }
        return value
    }

    /// Parses a value starting with a digit, sign, `i` or `n`: a date-time if it starts like
    /// `YYYY-` or `HH:`, otherwise an integer or float.
    private mutating func parseNumberOrDateTime() throws(TOMLParseError) -> TOMLValue {
        let start = index
        if fixedDigits(at: start, count: 4) != nil, peek(4) == UInt8(ascii: "-") {
            return try parseDateOrDateTime()
        }
        if fixedDigits(at: start, count: 2) != nil, peek(2) == UInt8(ascii: ":") {
            return .localTime(try parseTime(tokenStart: start))
        }
        var end = start
        while end < bytes.count, TOMLParser.isNumberByte(bytes[end]) { end += 1 }
        let value = try parseNumber(from: start, to: end)
        index = end
        return value
    }

    /// Characters that can make up an integer or float token (including `inf`, `nan`, `0x`).
    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"),
            UInt8(ascii: "+"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    /// Validates and converts an integer or float token `bytes[start..<end]`.
    private func parseNumber(from start: Int, to end: Int) throws(TOMLParseError) -> TOMLValue {
        let token = start..<end
        var position = start
        var negative = false
        var signed = false
        if bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
            negative = bytes[position] == UInt8(ascii: "-")
            signed = true
            position += 1
        }
        if bytesEqual(position..<end, "inf") {
            return .float(negative ? -Double.infinity : Double.infinity)
        }
        if bytesEqual(position..<end, "nan") {
            return .float(negative ? -Double.nan : Double.nan)
        }

        if position + 1 < end, bytes[position] == UInt8(ascii: "0") {
            let radix: UInt64?
            switch bytes[position + 1] {
            case UInt8(ascii: "x"): radix = 16
            case UInt8(ascii: "o"): radix = 8
            case UInt8(ascii: "b"): radix = 2
            default: radix = nil
            }
            if let radix {
                guard !signed else {
                    throw numberError(token, "hexadecimal, octal and binary integers cannot have a sign")
                }
                let digitsStart = position + 2
                let digitsEnd = try scanDigits(from: digitsStart, to: end, radix: radix, token: token)
                guard digitsEnd == end else {
                    throw numberError(token, nil)
                }
                return .integer(try integer(from: digitsStart, to: end, radix: radix, negative: false, token: token))
            }
        }

        let integerStart = position
        position = try scanDigits(from: position, to: end, radix: 10, token: token)
        let integerEnd = position
        if bytes[integerStart] == UInt8(ascii: "0"), integerEnd - integerStart > 1 {
            throw numberError(token, "leading zeros are not allowed")
        }
        var isFloat = false
        if position < end, bytes[position] == UInt8(ascii: ".") {
            isFloat = true
            position = try scanDigits(from: position + 1, to: end, radix: 10, token: token)
        }
        if position < end, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isFloat = true
            position += 1
            if position < end, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            position = try scanDigits(from: position, to: end, radix: 10, token: token)
        }
        guard position == end else {
            throw numberError(token, nil)
        }
        guard isFloat else {
            return .integer(
                try integer(from: integerStart, to: integerEnd, radix: 10, negative: negative, token: token))
        }
        var cleaned = ""
        cleaned.unicodeScalars.reserveCapacity(end - start)
        for byte in bytes[start..<end] where byte != UInt8(ascii: "_") {
            cleaned.unicodeScalars.append(Unicode.Scalar(byte))
        }
        guard let value = Double(cleaned), value.isFinite else {
            throw numberError(token, "out of range for a 64-bit float")
        }
        return .float(value)
    }

    /// Scans `digit *( ["_"] digit )` in `radix` from `start`, returning where it stops.
    /// Underscores must sit between two digits.
    private func scanDigits(
        from start: Int, to end: Int, radix: UInt64, token: Range<Int>
    ) throws(TOMLParseError) -> Int {
        guard start < end, TOMLParser.digitValue(bytes[start], radix: radix) != nil else {
            throw numberError(token, "expected a digit")
        }
        var position = start + 1
        while position < end {
            if TOMLParser.digitValue(bytes[position], radix: radix) != nil {
                position += 1
            } else if bytes[position] == UInt8(ascii: "_") {
                guard position + 1 < end, TOMLParser.digitValue(bytes[position + 1], radix: radix) != nil else {
                    throw numberError(token, "underscores must be between digits")
                }
                position += 2
            } else {
                break
            }
        }
        return position
    }

    private func numberError(_ token: Range<Int>, _ reason: String?) -> TOMLParseError {
        let text = text(token.lowerBound, token.upperBound)
        return error("invalid number '\(text)'" + (reason.map { ": " + $0 } ?? ""), at: token.lowerBound)
    }

    /// Converts already-validated digits (with underscores) to an `Int64`, rejecting overflow.
    private func integer(
        from start: Int, to end: Int, radix: UInt64, negative: Bool, token: Range<Int>
    ) throws(TOMLParseError) -> Int64 {
        var magnitude: UInt64 = 0
        for byte in bytes[start..<end] {
            guard let digit = TOMLParser.digitValue(byte, radix: radix) else { continue }  // underscore
            let (shifted, overflowMultiply) = magnitude.multipliedReportingOverflow(by: radix)
            let (sum, overflowAdd) = shifted.addingReportingOverflow(digit)
            guard !overflowMultiply, !overflowAdd else {
                throw numberError(token, "out of range for a 64-bit integer")
            }
            magnitude = sum
        }
        if negative {
            guard magnitude <= Int64.min.magnitude else {
                throw numberError(token, "out of range for a 64-bit integer")
            }
            return magnitude == Int64.min.magnitude ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else {
            throw numberError(token, "out of range for a 64-bit integer")
        }
        return Int64(magnitude)
    }

    /// Parses a local date, local date-time or offset date-time starting with `YYYY-`.
    private mutating func parseDateOrDateTime() throws(TOMLParseError) -> TOMLValue {
        let start = index
        guard let year = fixedDigits(at: start, count: 4), peek(4) == UInt8(ascii: "-"),
            let month = fixedDigits(at: start + 5, count: 2), peek(7) == UInt8(ascii: "-"),
            let day = fixedDigits(at: start + 8, count: 2)
        else {
            throw error("invalid date '\(text(start, tokenEnd(from: start)))': expected YYYY-MM-DD", at: start)
        }
        guard (1...12).contains(month) else {
            throw error("invalid date '\(text(start, start + 10))': month must be 01 to 12", at: start)
        }
        guard day >= 1, day <= TOMLLocalDate.daysInMonth(month, year: year) else {
            throw error("invalid date '\(text(start, start + 10))': day out of range for the month", at: start)
        }
        let date = TOMLLocalDate(year: year, month: month, day: day)
        index = start + 10

        let separator = peek()
        let hasTime =
            separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t")
            || (separator == UInt8(ascii: " ") && fixedDigits(at: index + 1, count: 2) != nil
                && peek(3) == UInt8(ascii: ":"))
        guard hasTime else { return .localDate(date) }
        index += 1
        let time = try parseTime(tokenStart: start)

        switch peek() {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
            return .offsetDateTime(TOMLDateTime(date: date, time: time, offsetMinutes: 0))
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = peek() == UInt8(ascii: "-") ? -1 : 1
            guard let hours = fixedDigits(at: index + 1, count: 2), peek(3) == UInt8(ascii: ":"),
                let minutes = fixedDigits(at: index + 4, count: 2)
            else {
                throw error(
                    "invalid date-time '\(text(start, tokenEnd(from: start)))': UTC offset must be Z or ±HH:MM",
                    at: start)
            }
            guard hours <= 23, minutes <= 59 else {
                throw error("invalid date-time '\(text(start, index + 6))': UTC offset out of range", at: start)
            }
            index += 6
            return .offsetDateTime(TOMLDateTime(date: date, time: time, offsetMinutes: sign * (hours * 60 + minutes)))
        default:
            return .localDateTime(TOMLDateTime(date: date, time: time, offsetMinutes: nil))
        }
    }

    /// Parses `HH:MM:SS[.fraction]` at the cursor; `tokenStart` is where the whole value began,
    /// for error reporting.
    private mutating func parseTime(tokenStart: Int) throws(TOMLParseError) -> TOMLLocalTime {
        let start = index
        guard let hour = fixedDigits(at: start, count: 2), peek(2) == UInt8(ascii: ":"),
            let minute = fixedDigits(at: start + 3, count: 2), peek(5) == UInt8(ascii: ":"),
            let second = fixedDigits(at: start + 6, count: 2)
        else {
            throw error(
                "invalid time in '\(text(tokenStart, tokenEnd(from: tokenStart)))': expected HH:MM:SS", at: tokenStart)
        }
        guard hour <= 23, minute <= 59, second <= 60 else {
            throw error(
                "invalid time in '\(text(tokenStart, start + 8))': hour, minute or second out of range", at: tokenStart)
        }
        index = start + 8
        var nanosecond = 0
        if peek() == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            var scale = 100_000_000
            while TOMLParser.isDigit(peek()) {
                nanosecond += Int(peek() - UInt8(ascii: "0")) * scale
                scale /= 10  // Digits beyond nanoseconds are truncated, as the spec requires.
                index += 1
            }
            guard index > fractionStart else {
                throw error(
                    "invalid time in '\(text(tokenStart, tokenEnd(from: tokenStart)))': expected digits after '.'",
                    at: tokenStart)
            }
        }
        return TOMLLocalTime(hour: hour, minute: minute, second: second, nanosecond: nanosecond)
    }

    // MARK: - Errors

    private func error(_ message: String, at offset: Int) -> TOMLParseError {
        TOMLParseError(position: source.position(at: offset), message: message)
    }

    private func error(_ message: String, at position: TOMLPosition) -> TOMLParseError {
        TOMLParseError(position: position, message: message)
    }

    private func depthError(at position: TOMLPosition) -> TOMLParseError {
        error("nesting is deeper than the maximum of \(TOMLParser.maxDepth) levels", at: position)
    }

    /// Control characters other than tab may not appear literally in comments or strings.
    private static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09) || byte == 0x7F
    }

    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<min(end, bytes.count)], as: UTF8.self)
    }

    /// A human-readable description of the character at `offset` for "found X" messages.
    private func describe(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        switch bytes[offset] {
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
            return "end of line"
        case 0x09:
            return "tab"
        case 0x20..<0x7F:
            return "'\(describeRaw(at: offset))'"
        case 0x00..<0x20, 0x7F:
            let hex = String(bytes[offset], radix: 16, uppercase: true)
            return "control character U+\(String(repeating: "0", count: 4 - hex.count))\(hex)"
        default:
            return "'\(describeRaw(at: offset))'"
        }
    }

    /// The (possibly multi-byte) character starting at `offset`, as text.
    private func describeRaw(at offset: Int) -> String {
        guard offset < bytes.count else { return "" }
        var end = offset + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return text(offset, end)
    }

    /// `key[0...through]` joined with dots and quoted, e.g. `'a.b'`, for messages.
    private func keyPath(_ key: [KeyPart], through last: Int) -> String {
        let joined = key[0...last].map { part in
            part.name.utf8.allSatisfy(TOMLParser.isBareKeyByte) && !part.name.isEmpty ? part.name : "\"\(part.name)\""
        }.joined(separator: ".")
        return "'\(joined)'"
    }

    /// " as <type>" suffix naming what an existing key holds.
    private static func asWhat(_ entry: TOMLTableBuilder.Entry) -> String {
        switch entry {
        case .value(let value): return " as \(article(value))"
        case .table: return " as a table"
        case .arrayOfTables: return " as an array of tables"
        }
    }

    private static func article(_ value: TOMLValue) -> String {
        switch value {
        case .integer, .array: return "an \(value.typeName)"
        case .offsetDateTime: return "an offset date-time"
        case .table: return "an inline table"
        default: return "a \(value.typeName)"
        }
    }

    private static func cannotExtend(_ value: TOMLValue, named path: String) -> String {
        switch value {
        case .table: return "cannot extend inline table \(path): inline tables are immutable"
        case .array: return "cannot extend static array \(path)"
        default: return "\(path) is already defined as \(article(value))"
        }
    }
}
