/// Long hexadecimal ids (`sha256:9f2c…`, git heads, config digests) shortened for reading, the
/// full value kept in a `title` attribute (shown on hover, copied from the page's source).
///
/// A narrative or an event line with three 64-character digests is a wall of hex; the first 12
/// characters tell ids apart as well as git's short hashes do. Found by a hand-written scan, not
/// a regular expression, so agent-runner links no regex engine.
public enum DigestAbbreviation {
    /// Hex runs at least this long are ids; shorter ones (ports, years, `deadbeef`) stay whole.
    public static let minimumLength = 16
    /// Hex characters kept of an id.
    public static let shownLength = 12

    /// A stretch of text: plain, or an id with its shortened form.
    public enum Piece: Sendable, Equatable {
        case text(String)
        /// `full` is `sha256:<64 hex>` or the bare hex run; `short` its first 12 hex digits
        /// (after any `algorithm:` prefix) and `…`.
        case digest(full: String, short: String)
    }

    /// `text` cut into plain stretches and ids. An id is a run of at least 16 hex digits holding
    /// both a digit and a letter, with no letter, digit, `_` or non-ASCII character on either
    /// side, optionally led by `algorithm:` (a short alphanumeric word such as `sha256`).
    public static func pieces(_ text: String) -> [Piece] {
        let bytes = Array(text.utf8)
        var pieces: [Piece] = []
        var plainStart = 0
        var index = 0
        while index < bytes.count {
            guard isWord(bytes[index]) else {
                index += 1
                continue
            }
            var end = index
            while end < bytes.count && isWord(bytes[end]) { end += 1 }
            let run = bytes[index..<end]
            if run.count >= minimumLength, run.allSatisfy(isHex), run.contains(where: isDigit),
                run.contains(where: { !isDigit($0) })
            {
                let start = prefixStart(bytes, before: index) ?? index
                if start > plainStart {
                    pieces.append(.text(String(decoding: bytes[plainStart..<start], as: UTF8.self)))
                }
                let prefix = String(decoding: bytes[start..<index], as: UTF8.self)
                let hex = String(decoding: run, as: UTF8.self)
                pieces.append(.digest(full: prefix + hex, short: prefix + String(hex.prefix(shownLength)) + "…"))
                plainStart = end
            }
            index = end
        }
        if plainStart < bytes.count { pieces.append(.text(String(decoding: bytes[plainStart...], as: UTF8.self))) }
        return pieces
    }

    /// `text` escaped for HTML, each id as `<span class="digest" title="FULL">SHORT</span>`.
    public static func html(_ text: String) -> String {
        var html = ""
        for piece in pieces(text) {
            switch piece {
            case .text(let plain): html += HTML.escape(plain)
            case .digest(let full, let short):
                html += "<span class=\"digest\" title=\"\(HTML.escape(full))\">\(HTML.escape(short))</span>"
            }
        }
        return html
    }

    /// Where `sha256:` starts when the run at `hexStart` follows one: a `:` right before it and,
    /// before that, a word of 2 to 10 letters and digits that starts with a letter.
    private static func prefixStart(_ bytes: [UInt8], before hexStart: Int) -> Int? {
        let colon = hexStart - 1
        guard colon > 0, bytes[colon] == UInt8(ascii: ":") else { return nil }
        var start = colon
        while start > 0 && isWord(bytes[start - 1]) { start -= 1 }
        let word = bytes[start..<colon]
        guard (2...10).contains(word.count), word.allSatisfy({ isLetter($0) || isDigit($0) }),
            let first = word.first, isLetter(first)
        else { return nil }
        return start
    }

    /// Letters, digits, `_` and any non-ASCII byte: what an id must not touch.
    private static func isWord(_ byte: UInt8) -> Bool {
        isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        isDigit(byte) || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "f"))
    }
}
