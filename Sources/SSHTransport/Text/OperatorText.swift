import FleetCore

/// Makes text that came from a remote host or from ssh safe to print on an operator's
/// terminal, through the one sanitizer (``TerminalText``), and bounds it in bytes.
enum OperatorText {
    /// One line: every control character, including newline and tab, becomes an escape.
    static func sanitizedLine(_ text: String) -> String {
        TerminalText.sanitize(text)
    }

    /// `'value'`, sanitized, for quoting a setting in a message.
    static func quoted(_ value: String) -> String {
        "'" + sanitizedLine(value) + "'"
    }

    /// At most `limit` bytes of `text` on one line, with "…" when cut.
    static func preview(_ text: String, limit: Int = 120) -> String {
        UTF8Clip.clip(sanitizedLine(text), maxBytes: limit + "…".utf8.count)
    }

    /// "4 MiB", "512 KiB", "100 bytes".
    static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
