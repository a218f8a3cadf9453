/// Removes terminal control sequences from one line of agent output.
///
/// CLIs colour their errors and redraw progress lines even when stdout is a file: codewhale
/// prefixes records with `ESC[2K ESC[1G`, aider colours errors unless `--no-pretty`. A record
/// behind an escape is still a record, and an error in red is still an error.
enum TerminalEscapes {
    private static let escape: Unicode.Scalar = "\u{1B}"

    /// `line` without CSI (`ESC [ … final`), OSC (`ESC ] … BEL` or `ESC \`) and two-byte escape
    /// sequences, and with a carriage-return redraw resolved to what the terminal would show last.
    static func strip(_ line: Substring) -> String {
        var text = line
        if text.last == "\r" { text = text.dropLast() }
        if let lastReturn = text.lastIndex(of: "\r") {
            let after = text[text.index(after: lastReturn)...]
            if !after.isEmpty { text = after }
        }
        guard text.unicodeScalars.contains(escape) else { return String(text) }
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == escape else {
                out.append(scalar)
                continue
            }
            switch scalars.next() {
            case "[":
                // Parameters and intermediates, then one final byte in @...~.
                while let next = scalars.next(), !(0x40...0x7E).contains(next.value) {}
            case "]":
                var previous: Unicode.Scalar?
                while let next = scalars.next() {
                    if next == "\u{07}" || (previous == escape && next == "\\") { break }
                    previous = next
                }
            default:
                continue
            }
        }
        return String(out)
    }
}
