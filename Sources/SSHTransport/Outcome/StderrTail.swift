/// The end of a captured stderr, fit for a log line or an alert: the last 20 non-empty
/// lines, at most 2 KiB, control characters escaped (a remote host must not be able to
/// drive the operator's terminal), carriage returns dropped.
public enum StderrTail {
    static let maximumLines = 20
    static let maximumBytes = 2048

    public static func of(_ bytes: [UInt8]) -> String {
        // Split bytes, not Characters: Swift treats "\r\n" as one Character, not a "\n".
        // Walk from the end so only the lines kept are decoded and sanitized.
        var kept: [String] = []
        for raw in bytes.split(separator: 0x0A).reversed() {
            if kept.count == maximumLines { break }
            let line = OperatorText.sanitizedLine(String(decoding: raw.filter { $0 != 0x0D }, as: UTF8.self))
            let trimmed = String(line.reversed().drop(while: { $0 == " " }).reversed())
            if !trimmed.isEmpty { kept.append(trimmed) }
        }
        var tail = kept.reversed().joined(separator: "\n")
        if tail.utf8.count > maximumBytes {
            // Cut at a character boundary: skip UTF-8 continuation bytes at the start.
            let end = Array(tail.utf8.suffix(maximumBytes - 3)).drop(while: { $0 & 0xC0 == 0x80 })
            tail = "…" + String(decoding: end, as: UTF8.self)
        }
        return tail
    }

    /// The last non-empty line of a tail, for one-line messages.
    static func lastLine(_ tail: String) -> String {
        tail.split(separator: "\n").last.map(String.init) ?? ""
    }
}
