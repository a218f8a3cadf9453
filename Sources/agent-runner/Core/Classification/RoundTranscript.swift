import FleetCore

/// The tail of one round's merged stdout+stderr, ready for a ``TranscriptClassifier``.
///
/// Only the last ``tailBytes`` are kept (a transcript can be gigabytes) and, of those, the JSON
/// records in the last ``jsonWindow`` JSON-looking lines (the original's window, counted after
/// the plain-text chatter is dropped, so a burst of stderr cannot push the terminal record out).
/// Terminal escapes are removed first; a torn or hostile line is skipped, never fatal.
public struct RoundTranscript: Sendable {
    /// How much of the end of the transcript is read.
    public static let tailBytes = 256 << 10
    /// How many JSON-looking lines from the end are parsed.
    public static let jsonWindow = 200

    /// One parsed JSON object and the index of its line in ``lines``.
    public struct Record: Sendable {
        public let line: Int
        public let object: JSONObject
    }

    /// The lines of the tail, terminal escapes removed. When the tail was cut out of a longer
    /// transcript its first (torn) line is dropped.
    public let lines: [String]
    /// The JSON objects among the last ``jsonWindow`` JSON-looking lines, in order.
    public let records: [Record]
    /// Whether the transcript was longer than ``tailBytes``: its first lines are not here.
    public let truncated: Bool

    private static let parser = JSONParser(
        limits: JSONParser.Limits(maxDepth: 32, maxBytes: 1 << 20), invalidUTF8: .replace)

    /// The tail of `text`.
    public init(text: String) {
        self.init(bytes: text.utf8)
    }

    /// The tail of a transcript given as bytes (invalid UTF-8 is replaced, never fatal).
    public init<Bytes: BidirectionalCollection>(bytes: Bytes) where Bytes.Element == UInt8 {
        let tail = bytes.suffix(Self.tailBytes)
        let truncated = tail.count < bytes.count
        // Split on the byte, not on Character "\n": "\r\n" is one Character in Swift.
        var lines = tail.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if truncated && lines.count > 1 { lines.removeFirst() }
        self.init(decoded: lines.map { Substring(String(decoding: $0, as: UTF8.self)) }, truncated: truncated)
    }

    /// A transcript already split into lines (the caller read the tail).
    public init(lines: [Substring], truncated: Bool = false) {
        let split = lines.flatMap { line in
            line.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { Substring($0) }
        }
        self.init(decoded: split, truncated: truncated)
    }

    private init(decoded lines: [Substring], truncated: Bool) {
        var cleaned = lines.map(TerminalEscapes.strip)
        if cleaned.last == "" { cleaned.removeLast() }
        var window: [Int] = []
        for index in cleaned.indices.reversed() {
            let first = cleaned[index].first { $0 != " " && $0 != "\t" }
            guard first == "{" || first == "[" else { continue }
            window.append(index)
            if window.count == Self.jsonWindow { break }
        }
        var records: [Record] = []
        for index in window.reversed() {
            let bytes = Array(cleaned[index].utf8)
            guard let value = try? Self.parser.parse(bytes), let object = value.objectValue else { continue }
            records.append(Record(line: index, object: object))
        }
        self.lines = cleaned
        self.records = records
        self.truncated = truncated
    }

    /// `line` parsed as a JSON object, or nil (torn, hostile, not an object).
    static func object(_ line: String) -> JSONObject? {
        let first = line.first { $0 != " " && $0 != "\t" }
        guard first == "{" else { return nil }
        return (try? parser.parse(Array(line.utf8)))?.objectValue
    }

    /// The non-JSON lines after line `index` (the CLI's stderr after its last record), blank
    /// lines dropped, at most `limit` from the end.
    func textLines(after index: Int, limit: Int = 20) -> [String] {
        guard index + 1 < lines.count else { return [] }
        let text = lines[(index + 1)...].filter { line in
            let first = line.first { $0 != " " && $0 != "\t" }
            return first != nil && first != "{" && first != "["
        }
        return Array(text.suffix(limit))
    }
}
