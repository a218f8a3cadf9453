/// Python's `repr()` of a string, the quoting the original tool's messages and narrations use:
/// an operator's grep, and the detectors' message text, match the original's to the letter.
public enum PythonRepr {
    /// `repr(text)`: single quotes unless the text holds a single quote and no double quote;
    /// backslashes, the quote and control characters escaped, each code point on its own (so
    /// `\r\n` is `\\r\\n`, not one character left as it is).
    public static func string(_ text: String) -> String {
        let quote: Character = text.unicodeScalars.contains("'") && !text.unicodeScalars.contains("\"") ? "\"" : "'"
        var result = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where Character(scalar) == quote: result += "\\" + String(quote)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                result += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        result.append(quote)
        return result
    }
}
