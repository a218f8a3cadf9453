/// A JSON parser for input that may be broken or hostile: it never traps and never recurses,
/// and every limit violation is a `JSONParseError` carrying the byte offset.
///
/// It accepts RFC 8259 JSON plus the three non-standard literals Python's `json` module writes
/// for non-finite floats (`NaN`, `Infinity`, `-Infinity`), because the original tool's logs can
/// contain them. Choices for the ambiguous cases:
/// - Integers without fraction or exponent that fit in `Int64` become `.int`; larger ones
///   become `.double` (nearest value, precision lost) rather than an error, so a host reporting
///   a huge counter still parses. Exponents beyond `Double`'s range give `±Infinity` or `0.0`
///   (`1e400` reads as `Infinity`, as Python's `json.loads` does).
/// - Duplicate keys: the last value wins, kept at the first key's position (Python `dict`).
/// - Lone surrogate escapes (`"\ud800"`) become U+FFFD in both modes.
/// - Raw control characters (U+0000–U+001F) inside strings are rejected, as Python does by default.
/// - Invalid UTF-8 inside strings is rejected by `.reject` and replaced by U+FFFD (one per
///   maximal ill-formed subsequence, like `String(decoding:as:)`) by `.replace`, which event-log
///   readers use so one bad byte does not hide a whole event. Invalid bytes outside strings are
///   always a syntax error.
/// - Anything but whitespace after the value (trailing garbage) is rejected.
public struct JSONParser: Sendable {
    /// Bounds on the work and memory a single document may cost.
    public struct Limits: Sendable, Equatable {
        /// Deepest nesting of arrays and objects (the top-level container is depth 1).
        public var maxDepth: Int
        /// Largest accepted input, in bytes.
        public var maxBytes: Int
        /// Longest accepted string (key or value), in UTF-8 bytes after unescaping.
        public var maxStringBytes: Int
        /// Most elements in one array or members in one object.
        public var maxMembers: Int
        /// Longest accepted number literal, in characters.
        public var maxNumberLength: Int

        /// Creates limits; the defaults suit event lines and `peek --json` documents.
        public init(
            maxDepth: Int = 64,
            maxBytes: Int = 16 << 20,
            maxStringBytes: Int = 8 << 20,
            maxMembers: Int = 1_000_000,
            maxNumberLength: Int = 1_000
        ) {
            self.maxDepth = maxDepth
            self.maxBytes = maxBytes
            self.maxStringBytes = maxStringBytes
            self.maxMembers = maxMembers
            self.maxNumberLength = maxNumberLength
        }
    }

    /// What to do with bytes that are not valid UTF-8 inside a string.
    public enum InvalidUTF8Policy: Sendable, Equatable {
        /// Fail with an error at the offending byte.
        case reject
        /// Substitute U+FFFD and carry on.
        case replace
    }

    /// The limits enforced on every document.
    public var limits: Limits
    /// How invalid UTF-8 in strings is treated.
    public var invalidUTF8: InvalidUTF8Policy

    /// Creates a parser; the default is strict about UTF-8.
    public init(limits: Limits = Limits(), invalidUTF8: InvalidUTF8Policy = .reject) {
        self.limits = limits
        self.invalidUTF8 = invalidUTF8
    }

    /// Default limits, invalid UTF-8 rejected: for configuration and state files.
    public static let strict = JSONParser()
    /// Default limits, invalid UTF-8 replaced by U+FFFD: for event-log lines.
    public static let lenient = JSONParser(invalidUTF8: .replace)

    /// Parses one complete JSON document.
    public func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) -> JSONValue in
                var cursor = Cursor(bytes: buffer, limits: limits, invalidUTF8: invalidUTF8)
                return try cursor.parseDocument()
            }
        }
        return try result.get()
    }

    /// Parses one complete JSON document from a slice (no copy).
    public func parse(_ bytes: ArraySlice<UInt8>) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) -> JSONValue in
                var cursor = Cursor(bytes: buffer, limits: limits, invalidUTF8: invalidUTF8)
                return try cursor.parseDocument()
            }
        }
        return try result.get()
    }

    /// Parses one complete JSON document from text.
    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

/// The parsing state over one input buffer. Containers are built on an explicit stack, so
/// nesting depth costs heap, not call stack.
private struct Cursor {
    /// An open array or object. A struct mutated in place on the stack (not an enum payload
    /// popped and pushed back): the member lists stay uniquely referenced, so appending never
    /// copies them.
    private struct Container {
        var isObject: Bool
        var elements: [JSONValue] = []
        var members = JSONObject()
        var pendingKey = ""
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let limits: JSONParser.Limits
    private let invalidUTF8: JSONParser.InvalidUTF8Policy
    private var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>, limits: JSONParser.Limits, invalidUTF8: JSONParser.InvalidUTF8Policy) {
        self.bytes = bytes
        self.limits = limits
        self.invalidUTF8 = invalidUTF8
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        guard bytes.count <= limits.maxBytes else {
            throw JSONParseError(
                offset: limits.maxBytes,
                message: "input is \(bytes.count) bytes, over the \(limits.maxBytes)-byte limit")
        }
        let value = try parseValueTree()
        skipWhitespace()
        guard position == bytes.count else {
            throw JSONParseError(
                offset: position,
                message: "unexpected \(describeByte(at: position)) after the end of the JSON value (trailing garbage)")
        }
        return value
    }

    // MARK: Structure

    private mutating func parseValueTree() throws(JSONParseError) -> JSONValue {
        var stack: [Container] = []
        parsing: while true {
            var value: JSONValue
            skipWhitespace()
            guard position < bytes.count else { throw endOfInput() }
            switch bytes[position] {
            case UInt8(ascii: "["):
                try checkDepth(stack.count + 1)
                position += 1
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    value = .array([])
                } else {
                    stack.append(Container(isObject: false))
                    continue parsing
                }
            case UInt8(ascii: "{"):
                try checkDepth(stack.count + 1)
                position += 1
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    value = .object(JSONObject())
                } else {
                    let key = try parseKey()
                    stack.append(Container(isObject: true, pendingKey: key))
                    continue parsing
                }
            default:
                value = try parseScalar()
            }

            // Attach the finished value to its container; close containers as they end.
            while !stack.isEmpty {
                let top = stack.count - 1
                skipWhitespace()
                let separator: UInt8? = position < bytes.count ? bytes[position] : nil
                if stack[top].isObject {
                    stack[top].members[stack[top].pendingKey] = value
                    try checkMembers(stack[top].members.count)
                    if separator == UInt8(ascii: ",") {
                        position += 1
                        skipWhitespace()
                        stack[top].pendingKey = try parseKey()
                        continue parsing
                    } else if separator == UInt8(ascii: "}") {
                        position += 1
                        value = .object(stack.removeLast().members)
                    } else {
                        throw unexpected(expecting: "',' or '}' in object")
                    }
                } else {
                    stack[top].elements.append(value)
                    try checkMembers(stack[top].elements.count)
                    if separator == UInt8(ascii: ",") {
                        position += 1
                        continue parsing
                    } else if separator == UInt8(ascii: "]") {
                        position += 1
                        value = .array(stack.removeLast().elements)
                    } else {
                        throw unexpected(expecting: "',' or ']' in array")
                    }
                }
            }
            return value
        }
    }

    /// Parses `"key" :` leaving the cursor at the member's value.
    private mutating func parseKey() throws(JSONParseError) -> String {
        guard position < bytes.count else { throw endOfInput() }
        guard bytes[position] == UInt8(ascii: "\"") else {
            throw unexpected(expecting: "a string key in double quotes")
        }
        let key = try parseString()
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
            if position >= bytes.count { throw endOfInput() }
            throw unexpected(expecting: "':' after object key")
        }
        position += 1
        return key
    }

    private mutating func parseScalar() throws(JSONParseError) -> JSONValue {
        switch bytes[position] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "N"):
            try expectLiteral("NaN")
            return .double(.nan)
        case UInt8(ascii: "I"):
            try expectLiteral("Infinity")
            return .double(.infinity)
        case UInt8(ascii: "-") where position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "I"):
            try expectLiteral("-Infinity")
            return .double(-.infinity)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw unexpected(expecting: "a JSON value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let text = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for (offset, expected) in text.enumerated() {
            guard position + offset < bytes.count else { throw endOfInput() }
            guard bytes[position + offset] == expected else {
                throw JSONParseError(
                    offset: position + offset,
                    message: "unexpected \(describeByte(at: position + offset)) in literal '\(literal)'")
            }
        }
        position += text.count
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        var isInteger = true
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count else { throw endOfInput() }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else if isDigit(bytes[position]) {
            skipDigits()
        } else {
            throw unexpected(expecting: "a digit")
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                if position >= bytes.count { throw endOfInput() }
                throw unexpected(expecting: "a digit after the decimal point")
            }
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                if position >= bytes.count { throw endOfInput() }
                throw unexpected(expecting: "a digit in the exponent")
            }
            skipDigits()
        }
        let literal = UnsafeBufferPointer(rebasing: bytes[start..<position])
        guard literal.count <= limits.maxNumberLength else {
            throw JSONParseError(
                offset: start,
                message:
                    "number literal is \(literal.count) characters, over the \(limits.maxNumberLength)-character limit")
        }
        if isInteger, let exact = Self.exactInteger(literal) {
            return .int(exact)
        }
        guard let double = Double(String(decoding: literal, as: UTF8.self)) else {
            throw JSONParseError(offset: start, message: "number literal cannot be represented")
        }
        return .double(double)
    }

    /// The value of an optionally negative decimal literal, or nil when it overflows `Int64`.
    private static func exactInteger(_ literal: UnsafeBufferPointer<UInt8>) -> Int64? {
        let negative = literal.first == UInt8(ascii: "-")
        var value: Int64 = 0
        for byte in literal.dropFirst(negative ? 1 : 0) {
            let digit = Int64(byte &- UInt8(ascii: "0"))
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            // Accumulate negatively so that Int64.min is representable.
            let (next, overflowB) = shifted.subtractingReportingOverflow(digit)
            if overflowA || overflowB { return nil }
            value = next
        }
        if negative { return value }
        let (positive, overflow) = Int64(0).subtractingReportingOverflow(value)
        return overflow ? nil : positive
    }

    // MARK: Strings

    /// Parses a string starting at its opening quote.
    private mutating func parseString() throws(JSONParseError) -> String {
        let openingQuote = position
        var index = position + 1
        // Bytes are copied lazily: only strings with escapes or replaced bytes need the buffer.
        var buffer: [UInt8] = []
        var buffered = false
        var pendingStart = index
        while true {
            guard index < bytes.count else {
                throw JSONParseError(
                    offset: openingQuote, message: "unterminated string (input ends before the closing quote)")
            }
            let byte = bytes[index]
            if buffer.count + (index - pendingStart) > limits.maxStringBytes {
                throw JSONParseError(
                    offset: openingQuote, message: "string longer than the \(limits.maxStringBytes)-byte limit")
            }
            switch byte {
            case UInt8(ascii: "\""):
                position = index + 1
                let pending = UnsafeBufferPointer(rebasing: bytes[pendingStart..<index])
                guard buffered else { return String(decoding: pending, as: UTF8.self) }
                buffer.append(contentsOf: pending)
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[pendingStart..<index]))
                buffered = true
                index = try parseEscape(at: index, into: &buffer)
                pendingStart = index
            case 0x00..<0x20:
                throw JSONParseError(
                    offset: index, message: "raw control character 0x\(hex(byte)) in string (must be escaped)")
            case 0x20..<0x80:
                index += 1
            default:
                let (length, valid) = utf8Sequence(at: index)
                if valid {
                    index += length
                } else if invalidUTF8 == .reject {
                    throw JSONParseError(offset: index, message: "invalid UTF-8 byte 0x\(hex(bytes[index])) in string")
                } else {
                    buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[pendingStart..<index]))
                    buffer.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    buffered = true
                    index += length
                    pendingStart = index
                }
            }
        }
    }

    /// Decodes the escape starting at the backslash at `index`; returns the index after it.
    private func parseEscape(at index: Int, into buffer: inout [UInt8]) throws(JSONParseError) -> Int {
        guard index + 1 < bytes.count else {
            throw JSONParseError(offset: index, message: "unterminated escape sequence")
        }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try hexQuad(at: index + 2)
            var next = index + 6
            var scalar = UInt32(unit)
            if (0xD800...0xDBFF).contains(unit) {
                // A high surrogate must be followed by an escaped low surrogate; otherwise it is lone.
                if next + 1 < bytes.count, bytes[next] == UInt8(ascii: "\\"), bytes[next + 1] == UInt8(ascii: "u"),
                    let low = try? hexQuad(at: next + 2), (0xDC00...0xDFFF).contains(low)
                {
                    scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    next += 6
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00...0xDFFF).contains(unit) {
                scalar = 0xFFFD
            }
            appendUTF8(scalar, to: &buffer)
            return next
        default:
            throw JSONParseError(offset: index, message: "invalid escape '\\\(describeByte(at: index + 1))' in string")
        }
        return index + 2
    }

    private func hexQuad(at index: Int) throws(JSONParseError) -> UInt16 {
        guard index + 4 <= bytes.count else {
            throw JSONParseError(offset: index, message: "truncated \\u escape (needs 4 hex digits)")
        }
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw JSONParseError(offset: index + offset, message: "invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// Length of the UTF-8 sequence at `index` and whether it is well formed. For an ill-formed
    /// sequence the length is that of its maximal subpart (at least 1), which is replaced as a unit.
    private func utf8Sequence(at index: Int) -> (length: Int, valid: Bool) {
        let lead = bytes[index]
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        let continuations: Int
        switch lead {
        case 0xC2...0xDF: continuations = 1
        case 0xE0:
            continuations = 2
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: continuations = 2
        case 0xED:
            continuations = 2
            high = 0x9F
        case 0xF0:
            continuations = 3
            low = 0x90
        case 0xF1...0xF3: continuations = 3
        case 0xF4:
            continuations = 3
            high = 0x8F
        default: return (1, false)
        }
        for offset in 1...continuations {
            guard index + offset < bytes.count else { return (offset, false) }
            let byte = bytes[index + offset]
            let range = offset == 1 ? low...high : 0x80...0xBF
            guard range.contains(byte) else { return (offset, false) }
        }
        return (continuations + 1, true)
    }

    private func appendUTF8(_ scalar: UInt32, to buffer: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            buffer.append(UInt8(scalar))
        case 0x80..<0x800:
            buffer.append(UInt8(0xC0 | (scalar >> 6)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            buffer.append(UInt8(0xE0 | (scalar >> 12)))
            buffer.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            buffer.append(UInt8(0xF0 | ((scalar >> 18) & 0x07)))
            buffer.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            buffer.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    // MARK: Helpers

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func checkDepth(_ depth: Int) throws(JSONParseError) {
        guard depth <= limits.maxDepth else {
            throw JSONParseError(
                offset: position, message: "nesting deeper than the limit of \(limits.maxDepth) levels")
        }
    }

    private func checkMembers(_ count: Int) throws(JSONParseError) {
        guard count <= limits.maxMembers else {
            throw JSONParseError(
                offset: position, message: "container has more than the limit of \(limits.maxMembers) members")
        }
    }

    private func endOfInput() -> JSONParseError {
        JSONParseError(offset: bytes.count, message: "unexpected end of input (truncated document?)")
    }

    private func unexpected(expecting expected: String) -> JSONParseError {
        guard position < bytes.count else { return endOfInput() }
        return JSONParseError(
            offset: position, message: "unexpected \(describeByte(at: position)), expecting \(expected)")
    }

    private func describeByte(at index: Int) -> String {
        guard index < bytes.count else { return "end of input" }
        let byte = bytes[index]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(hex(byte))"
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
