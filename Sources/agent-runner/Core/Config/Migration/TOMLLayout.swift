/// Where each statement of a TOML text is, in bytes and lines: table headers and `key = value`
/// statements with their full dotted path. `agent-runner migrate` edits these byte ranges and
/// leaves every other byte alone, so the operator's comments, blank lines, quoting and order
/// survive (the file is never re-serialised).
///
/// Only for text the TOML parser has accepted: the scanner trusts the syntax and does not
/// re-validate it. Keys inside inline tables are not statements of their own.
struct TOMLLayout: Sendable {
    /// `[a.b]` or `[[a.b]]`.
    struct Header: Sendable, Equatable {
        var path: [String]
        var isArrayOfTables: Bool
        /// 1-based.
        var line: Int
    }

    /// `key = value` (the key possibly dotted), which may span lines (arrays, multi-line strings).
    struct KeyValue: Sendable, Equatable {
        /// The table's path and the statement's dotted key.
        var path: [String]
        /// The index in ``TOMLLayout/headers`` of the table it belongs to; nil for the root.
        var header: Int?
        /// Bytes of the last segment of the key as written (`round_timeout_s`, or `"x"` quoted).
        var lastKey: Range<Int>
        /// Bytes from the first key segment to the end of the value.
        var statement: Range<Int>
        /// Bytes of the value.
        var value: Range<Int>
        /// 1-based lines of the statement's first and last byte.
        var firstLine: Int
        var lastLine: Int
    }

    let bytes: [UInt8]
    /// Byte offset where each line starts (index 0 is line 1).
    let lineStarts: [Int]
    private(set) var headers: [Header] = []
    private(set) var keyValues: [KeyValue] = []

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") && index + 1 < bytes.count {
            starts.append(index + 1)
        }
        lineStarts = starts
        var scanner = Scanner(bytes: bytes)
        var table: [String] = []
        var header: Int?
        while let item = scanner.nextStatement() {
            switch item {
            case .header(let path, let isArray, let start):
                headers.append(Header(path: path, isArrayOfTables: isArray, line: line(at: start)))
                table = path
                header = headers.count - 1
            case .keyValue(let key, let lastKey, let statement, let value):
                keyValues.append(
                    KeyValue(
                        path: table + key, header: header, lastKey: lastKey, statement: statement, value: value,
                        firstLine: line(at: statement.lowerBound),
                        lastLine: line(at: max(statement.lowerBound, statement.upperBound - 1))))
            }
        }
    }

    /// The 1-based line of byte `offset`.
    func line(at offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low + 1
    }

    /// The byte range of lines `first...last`, newline of the last included.
    func lines(_ first: Int, _ last: Int) -> Range<Int> {
        let start = lineStarts[first - 1]
        let end = last < lineStarts.count ? lineStarts[last] : bytes.count
        return start..<end
    }

    /// The file's line break (`\r\n` when its first line ends so), for the lines a migration adds.
    var newline: String {
        guard let first = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return "\n" }
        return first > 0 && bytes[first - 1] == UInt8(ascii: "\r") ? "\r\n" : "\n"
    }

    /// The statement that sets exactly `path`, if it is a statement of its own.
    func keyValue(_ path: [String]) -> KeyValue? {
        keyValues.first { $0.path == path }
    }

    /// The first line where `path` is set or its table starts, if it appears in the text.
    func line(of path: [String]) -> Int? {
        keyValue(path)?.firstLine ?? headers.first { $0.path == path }?.line
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}

/// Walks TOML text statement by statement (see ``TOMLLayout``).
private struct Scanner {
    enum Item {
        case header(path: [String], isArray: Bool, start: Int)
        case keyValue(key: [String], lastKey: Range<Int>, statement: Range<Int>, value: Range<Int>)
    }

    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }  // a UTF-8 byte order mark
    }

    private func byte(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private func isAt(_ text: String) -> Bool {
        let needle = Array(text.utf8)
        return index + needle.count <= bytes.count && Array(bytes[index..<index + needle.count]) == needle
    }

    mutating func nextStatement() -> Item? {
        while index < bytes.count {
            skipBlanks()
            guard let current = byte() else { return nil }
            switch current {
            case UInt8(ascii: "#"): skipToLineEnd()
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            case UInt8(ascii: "["):
                let start = index
                let isArray = byte(1) == UInt8(ascii: "[")
                index += isArray ? 2 : 1
                let (path, _) = key(until: UInt8(ascii: "]"))
                index += isArray ? 2 : 1
                skipToLineEnd()
                return .header(path: path, isArray: isArray, start: start)
            default:
                let start = index
                let (path, lastKey) = key(until: UInt8(ascii: "="))
                index += 1
                skipBlanks()
                let valueStart = index
                value()
                let item = Item.keyValue(
                    key: path, lastKey: lastKey, statement: start..<index, value: valueStart..<index)
                skipToLineEnd()
                return item
            }
        }
        return nil
    }

    /// A dotted key up to `terminator` (not consumed): its segments and the last one's bytes.
    private mutating func key(until terminator: UInt8) -> ([String], Range<Int>) {
        var segments: [String] = []
        var last = index..<index
        while let current = byte(), current != terminator {
            switch current {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "."):
                index += 1
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let start = index
                singleLineString()
                last = start..<index
                segments.append(Self.unquote(bytes[start + 1..<index - 1], basic: current == UInt8(ascii: "\"")))
            default:
                let start = index
                while let next = byte(), Self.isBareKey(next) { index += 1 }
                if index == start { index += 1 }  // not a key byte: step over it rather than loop
                last = start..<index
                segments.append(String(decoding: bytes[start..<index], as: UTF8.self))
            }
        }
        return (segments, last)
    }

    /// One value of any kind; leaves `index` just after it.
    private mutating func value() {
        guard let current = byte() else { return }
        switch current {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            if isAt("\"\"\"") || isAt("'''") { multiLineString() } else { singleLineString() }
        case UInt8(ascii: "["):
            index += 1
            while true {
                skipWhitespaceNewlinesAndComments()
                guard let next = byte() else { return }
                if next == UInt8(ascii: "]") {
                    index += 1
                    return
                }
                if next == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                value()
            }
        case UInt8(ascii: "{"):
            index += 1
            while true {
                skipBlanks()
                guard let next = byte() else { return }
                if next == UInt8(ascii: "}") {
                    index += 1
                    return
                }
                if next == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                _ = key(until: UInt8(ascii: "="))
                index += 1
                skipBlanks()
                value()
            }
        default:
            let start = index
            let stops: Set<UInt8> = [
                UInt8(ascii: "\n"), UInt8(ascii: "#"), UInt8(ascii: ","), UInt8(ascii: "]"),
                UInt8(ascii: "}"), UInt8(ascii: "\r"),
            ]
            while let next = byte(), !stops.contains(next) { index += 1 }
            while index > start, bytes[index - 1] == UInt8(ascii: " ") || bytes[index - 1] == UInt8(ascii: "\t") {
                index -= 1
            }
        }
    }

    private mutating func singleLineString() {
        let quote = bytes[index]
        index += 1
        while let current = byte(), current != quote {
            index += current == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") ? 2 : 1
        }
        index += 1
    }

    private mutating func multiLineString() {
        let quote = bytes[index]
        let closing = String(repeating: quote == UInt8(ascii: "\"") ? "\"" : "'", count: 3)
        index += 3
        while index < bytes.count, !isAt(closing) {
            index += bytes[index] == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") ? 2 : 1
        }
        index += 3
        // Up to two quotes right before the delimiter belong to the content (`""""x""""`).
        var extra = 0
        while extra < 2, byte() == quote {
            index += 1
            extra += 1
        }
    }

    private mutating func skipBlanks() {
        while let current = byte(), current == UInt8(ascii: " ") || current == UInt8(ascii: "\t") { index += 1 }
    }

    private mutating func skipToLineEnd() {
        while let current = byte(), current != UInt8(ascii: "\n") { index += 1 }
        if index < bytes.count { index += 1 }
    }

    private mutating func skipWhitespaceNewlinesAndComments() {
        while let current = byte() {
            switch current {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            case UInt8(ascii: "#"): while let next = byte(), next != UInt8(ascii: "\n") { index += 1 }
            default: return
            }
        }
    }

    private static func isBareKey(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "-")
    }

    /// A quoted key's name, escapes decoded as the TOML parser decodes them.
    private static func unquote(_ content: ArraySlice<UInt8>, basic: Bool) -> String {
        guard basic else { return String(decoding: content, as: UTF8.self) }
        var out = ""
        var bytes = Array(content)[...]
        while let byte = bytes.first {
            bytes = bytes.dropFirst()
            guard byte == UInt8(ascii: "\\"), let escape = bytes.first else {
                let run = [byte] + bytes.prefix { $0 != UInt8(ascii: "\\") }
                bytes = bytes.dropFirst(run.count - 1)
                out += String(decoding: run, as: UTF8.self)
                continue
            }
            bytes = bytes.dropFirst()
            switch escape {
            case UInt8(ascii: "b"): out += "\u{08}"
            case UInt8(ascii: "t"): out += "\t"
            case UInt8(ascii: "n"): out += "\n"
            case UInt8(ascii: "f"): out += "\u{0C}"
            case UInt8(ascii: "r"): out += "\r"
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = escape == UInt8(ascii: "u") ? 4 : 8
                let hex = String(decoding: bytes.prefix(count), as: UTF8.self)
                bytes = bytes.dropFirst(count)
                if let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) {
                    out.unicodeScalars.append(scalar)
                }
            default: out += String(decoding: [escape], as: UTF8.self)
            }
        }
        return out
    }
}
