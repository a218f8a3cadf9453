/// Makes text that came from a remote host or from ssh safe to print on an operator's
/// terminal: control characters (an ANSI escape that clears the screen or rewrites the
/// previous line) and bidirectional overrides (which reorder what is displayed) are shown
/// as visible escapes, and invalid UTF-8 as U+FFFD.
enum OperatorText {
    /// One line: every control character, including newline and tab, becomes an escape.
    static func sanitizedLine(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                result +=
                    scalar.value < 0x100
                    ? "\\x" + hex(scalar.value, width: 2) : "\\u{" + hex(scalar.value, width: 4) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `'value'`, sanitized, for quoting a setting in a message.
    static func quoted(_ value: String) -> String {
        "'" + sanitizedLine(value) + "'"
    }

    /// At most `limit` characters of `text` on one line, with "…" when cut.
    static func preview(_ text: String, limit: Int = 120) -> String {
        let line = sanitizedLine(text)
        return line.count <= limit ? line : String(line.prefix(limit)) + "…"
    }

    /// "4 MiB", "512 KiB", "100 bytes".
    static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: return true
        default: return false
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
