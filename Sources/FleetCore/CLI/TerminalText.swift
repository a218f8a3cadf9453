/// Text from a host (versions, alert messages, phases) is data, not terminal control: a
/// compromised or broken host must not be able to move the operator's cursor, rewrite lines,
/// change the title or hide text with ANSI escapes. Everything printed for humans from remote
/// data goes through ``sanitize(_:)``.
public enum TerminalText {
    /// `text` with C0/C1 control characters (ESC, CSI, BEL, backspace, carriage return...) and
    /// DEL shown as visible `\u{XX}` escapes. Newlines are kept only when `keepNewlines`.
    public static func sanitize(_ text: String, keepNewlines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "\n" && keepNewlines {
                out += "\n"
            } else if isControl(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
    }
}
