/// One event read back from the log.
public struct Event: Sendable, Equatable {
    /// The `ts` field exactly as written (see `EventTimestamp`).
    public let ts: String
    /// The `event` field. A plain string: logs may hold kinds this build does not know.
    public let kind: String
    /// Every other field, in the order it was written.
    public let payload: JSONObject
    /// The line as read, without its newline (invalid UTF-8 shown as U+FFFD).
    public let raw: String

    /// Creates an event from its parts.
    public init(ts: String, kind: String, payload: JSONObject, raw: String) {
        self.ts = ts
        self.kind = kind
        self.payload = payload
        self.raw = raw
    }

    /// The event as one object: `ts`, `event`, then the payload in writing order.
    public var object: JSONObject {
        var object = JSONObject([("ts", .string(ts)), ("event", .string(kind))])
        for (key, value) in payload { object[key] = value }
        return object
    }

    /// The parsed `ts`, or nil when it is not a valid timestamp.
    public var instant: UTCInstant? { EventTimestamp.parse(ts) }

    /// Decodes one log line (without its newline), or returns nil for a line that is not an event:
    /// blank, unparseable, not an object, or lacking a string `ts` and `event`.
    ///
    /// Recovery: a line that fails to parse is retried from each of its last few `{"ts"`
    /// occurrences. That recovers a complete event glued behind the fragment a crashed or
    /// disk-full writer left without a newline, instead of losing both.
    public init?(line: [UInt8], parser: JSONParser = .lenient) {
        if let event = Event.decode(line[...], parser: parser) {
            self = event
            return
        }
        let marker = Array(#"{"ts""#.utf8)
        var attempts = 0
        var start = line.count - marker.count
        while start > 0, attempts < Event.maxRecoveryAttempts {
            if line[start] == marker[0], line[start..<start + marker.count].elementsEqual(marker) {
                attempts += 1
                if let event = Event.decode(line[start...], parser: parser) {
                    self = event
                    return
                }
            }
            start -= 1
        }
        return nil
    }

    /// The kind of an event line without parsing it: the string value of its first unescaped
    /// `"event"` key, or nil when the line does not look like that (then parse it to know).
    /// A prefilter for tail scans that want a few kinds out of many lines; the parsed
    /// ``kind`` stays authoritative.
    public static func kind(inLine line: [UInt8]) -> String? {
        guard let range = kindRange(inLine: line) else { return nil }
        return String(decoding: line[range], as: UTF8.self)
    }

    /// Where ``kind(inLine:)`` finds the kind in `line`, without allocating.
    public static func kindRange(inLine line: [UInt8]) -> Range<Int>? {
        line.withUnsafeBufferPointer { bytes -> Range<Int>? in
            let count = bytes.count
            let quote = UInt8(ascii: "\"")
            let backslash = UInt8(ascii: "\\")
            let space = UInt8(ascii: " ")
            var index = 0
            // Looks for `"event"` (7 bytes) not preceded by a backslash.
            while index + 7 < count {
                if bytes[index] == quote, bytes[index + 1] == UInt8(ascii: "e"), bytes[index + 2] == UInt8(ascii: "v"),
                    bytes[index + 3] == UInt8(ascii: "e"), bytes[index + 4] == UInt8(ascii: "n"),
                    bytes[index + 5] == UInt8(ascii: "t"),
                    bytes[index + 6] == quote, index == 0 || bytes[index - 1] != backslash
                {
                    var position = index + 7
                    while position < count, bytes[position] == space { position += 1 }
                    guard position < count, bytes[position] == UInt8(ascii: ":") else { return nil }
                    position += 1
                    while position < count, bytes[position] == space { position += 1 }
                    guard position < count, bytes[position] == quote else { return nil }
                    let start = position + 1
                    var end = start
                    while end < count, bytes[end] != quote, bytes[end] != backslash { end += 1 }
                    guard end < count, bytes[end] == quote else { return nil }
                    return start..<end
                }
                index += 1
            }
            return nil
        }
    }

    /// Bounds the work a hostile line full of `{"ts"` markers can cause.
    private static let maxRecoveryAttempts = 4

    private static func decode(_ line: ArraySlice<UInt8>, parser: JSONParser) -> Event? {
        guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r") }),
            case .object(var payload)? = try? parser.parse(line),
            case .string(let ts)? = payload.removeValue(forKey: "ts"),
            case .string(let kind)? = payload.removeValue(forKey: "event")
        else { return nil }
        return Event(ts: ts, kind: kind, payload: payload, raw: String(decoding: line, as: UTF8.self))
    }
}
