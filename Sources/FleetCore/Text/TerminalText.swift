/// The one sanitizer for text that came from outside (a host, an agent, a transcript, ssh) and
/// reaches a terminal, a hook's argument or environment, or an operator-facing message.
///
/// A compromised or broken host must not be able to move the operator's cursor, rewrite lines,
/// change the window title, hide or reorder text: ESC and every other C0 control, DEL, the C1
/// controls (U+0080–U+009F, which many terminals read as CSI/OSC), the bidi embeddings,
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069), the direction marks (U+200E, U+200F,
/// U+061C) and the line separators (U+2028, U+2029) are shown as visible escapes (`\x1B`,
/// `\u{202E}`). Newlines and tabs are kept only in multi-line text (`keepNewlines`); a
/// single-line field (an alert, a hook argument) shows them as `\x0A` and `\x09`. JSON output
/// escapes the same characters itself (``JSONWriter``).
public enum TerminalText {
    /// `text` safe to print: unsafe scalars shown as visible escapes.
    public static func sanitize(_ text: String, keepNewlines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0, keepNewlines: keepNewlines) }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar, keepNewlines: keepNewlines) {
                out += escape(scalar)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether `scalar` is one the sanitizer escapes.
    public static func isUnsafe(_ scalar: Unicode.Scalar, keepNewlines: Bool = false) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: return !keepNewlines
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// `\x1B` below U+0100, `\u{202E}` above.
    static func escape(_ scalar: Unicode.Scalar) -> String {
        scalar.value < 0x100 ? "\\x" + hex(scalar.value, width: 2) : "\\u{" + hex(scalar.value, width: 4) + "}"
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
