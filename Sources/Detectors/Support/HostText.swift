/// Bounds on text that comes from a remote host and ends up in alert messages, identity keys and
/// hook arguments. A hostile or broken host can send megabyte-long agent names or tool targets;
/// clipping keeps alerts printable on a phone and keys small in the persisted alert state.
enum HostText {
    /// Longest host-provided string kept in an alert, in characters.
    static let maxCharacters = 200

    /// `text` cut to ``maxCharacters`` characters, with `…` marking the cut.
    static func clip(_ text: String) -> String {
        guard text.utf8.count > maxCharacters,
            let end = text.index(text.startIndex, offsetBy: maxCharacters, limitedBy: text.endIndex),
            end != text.endIndex
        else { return text }
        return String(text[..<end]) + "…"
    }
}
