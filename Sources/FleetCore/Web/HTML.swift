/// Text made safe to place in an HTML page.
///
/// The pages show bytes that agents and remote hosts control (event payloads, hook names,
/// narratives, transcripts). Escaping every one of them is the first defense; the strict
/// Content-Security-Policy of ``HTTPServerResponse`` is the second, for the day a value slips
/// through unescaped.
public enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references: safe as element
    /// text and inside a quoted attribute value (either quote). Nothing else changes; invalid
    /// UTF-8 was already replaced when the bytes were decoded.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
