/// The raw document bytes after encoding validation, with an index of line starts that turns
/// byte offsets into 1-based line/column positions.
///
/// Validating everything up front (UTF-8 well-formedness, no NUL, no bare CR) lets the parser
/// treat a `0` byte as end-of-input and a CR as always starting a CRLF pair.
struct TOMLSource {
    /// The document bytes, including any byte order mark.
    let bytes: [UInt8]
    /// Offset of the first byte after an optional UTF-8 byte order mark.
    let contentStart: Int
    /// Offset of the first byte of every line, in increasing order.
    private let lineStarts: [Int]

    /// Validates `bytes` as TOML source text: well-formed UTF-8, no NUL bytes, and CR only as
    /// part of CRLF. Throws the position of the first offending byte.
    init(_ bytes: [UInt8]) throws(TOMLParseError) {
        let hasBOM = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        let start = hasBOM ? 3 : 0
        var lineStarts = [start]
        let count = bytes.count
        var i = start
        while i < count {
            let byte = bytes[i]
            if byte < 0x80 {
                switch byte {
                case 0x0A:
                    lineStarts.append(i + 1)
                case 0x0D:
                    guard i + 1 < count, bytes[i + 1] == 0x0A else {
                        throw TOMLSource.failure(
                            "carriage return must be followed by a line feed", bytes, lineStarts, i)
                    }
                case 0x00:
                    throw TOMLSource.failure("NUL character is not allowed", bytes, lineStarts, i)
                default:
                    break
                }
                i += 1
                continue
            }
            let length = TOMLSource.utf8SequenceLength(bytes, at: i)
            guard length > 0 else {
                throw TOMLSource.failure("invalid UTF-8 byte sequence", bytes, lineStarts, i)
            }
            i += length
        }
        self.bytes = bytes
        self.contentStart = start
        self.lineStarts = lineStarts
    }

    /// Remembers the last position computed during a parse, so that the next, usually later,
    /// lookup only scans the bytes in between instead of searching lines and rescanning the
    /// line from its start (which would be quadratic for long lines with many keys).
    struct Cursor {
        fileprivate var line = 0
        fileprivate var offset = 0
        fileprivate var column = 1
    }

    /// The 1-based line and column (in Unicode scalars) of the byte at `offset`.
    func position(at offset: Int) -> TOMLPosition {
        var cursor = Cursor()
        return position(at: offset, cursor: &cursor)
    }

    /// Like `position(at:)`, but resumes from `cursor` when possible and updates it.
    func position(at offset: Int, cursor: inout Cursor) -> TOMLPosition {
        if !TOMLSource.line(cursor.line, in: lineStarts, contains: offset) {
            let line =
                TOMLSource.line(cursor.line + 1, in: lineStarts, contains: offset)
                ? cursor.line + 1
                : TOMLSource.lineIndex(containing: offset, in: lineStarts)
            cursor = Cursor(line: line, offset: lineStarts[line], column: 1)
        } else if offset < cursor.offset || cursor.offset < lineStarts[cursor.line] {
            cursor.offset = lineStarts[cursor.line]
            cursor.column = 1
        }
        let end = min(offset, bytes.count)
        var i = cursor.offset
        var column = cursor.column
        while i < end {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        cursor.offset = i
        cursor.column = column
        return TOMLPosition(line: cursor.line + 1, column: column)
    }

    private static func line(_ line: Int, in lineStarts: [Int], contains offset: Int) -> Bool {
        line >= 0 && line < lineStarts.count && lineStarts[line] <= offset
            && (line + 1 == lineStarts.count || offset < lineStarts[line + 1])
    }

    /// Binary search for the last line starting at or before `offset` (0 if none does).
    private static func lineIndex(containing offset: Int, in lineStarts: [Int]) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = low + (high - low + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low
    }

    private static func failure(
        _ message: String, _ bytes: [UInt8], _ lineStarts: [Int], _ offset: Int
    ) -> TOMLParseError {
        let line = lineIndex(containing: offset, in: lineStarts)
        var column = 1
        for byte in bytes[lineStarts[line]..<offset] where byte & 0xC0 != 0x80 {
            column += 1
        }
        return TOMLParseError(position: TOMLPosition(line: line + 1, column: column), message: message)
    }

    /// Length of the well-formed multi-byte UTF-8 sequence starting at `i` (lead byte >= 0x80),
    /// or 0 if it is ill-formed (overlong, surrogate, beyond U+10FFFF, or truncated),
    /// following Table 3-7 of the Unicode Standard.
    private static func utf8SequenceLength(_ bytes: [UInt8], at i: Int) -> Int {
        let lead = bytes[i]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default: return 0
        }
        guard i + length <= bytes.count, secondRange.contains(bytes[i + 1]) else { return 0 }
        var k = 2
        while k < length {
            guard bytes[i + k] & 0xC0 == 0x80 else { return 0 }
            k += 1
        }
        return length
    }
}
