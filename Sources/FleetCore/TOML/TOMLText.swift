/// Writing TOML values as text: the counterpart of the parser, for files and output we
/// generate (`agent-runner init`, `agent-runner config`).
public enum TOMLText {
    /// A basic string (`"..."`) with quotes, backslashes and control characters escaped.
    public static func basicString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A literal string (`'...'`) when the text has quotes or backslashes (regexes, JSON
    /// markers) and can be written literally, else a basic string: easier to read and edit.
    public static func readableString(_ text: String) -> String {
        let plain = !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        let scalars = text.unicodeScalars
        if plain && !scalars.contains("'") && (scalars.contains("\\") || scalars.contains("\"")) { return "'\(text)'" }
        return basicString(text)
    }
}
