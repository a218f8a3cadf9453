import FleetCore

/// Generates the text a hostile host, agent or transcript could send, for property tests of the
/// quoters, escapers, clippers, sanitizers and the redactor: every string is a random mix of
/// the pieces that broke Character-based code (a quote or backslash joined with a combining
/// mark, prepended-concatenation marks before a quote, ZWJ sequences, lossily decoded invalid
/// UTF-8, C0/C1 controls, bidi controls, newlines and line separators, shell and HTML
/// metacharacters). Seeded: a failure names the seed that replays it.
public struct HostileText: Sendable {
    public let random: SeededRandom

    public init(_ random: SeededRandom = .fromEnvironment()) {
        self.random = random
    }

    /// Pieces that each end a quote, an attribute, an escape or a line in some format.
    public static let metacharacters: [String] = [
        "'", "\"", "\\", "$", "`", "$(", ")", ";", "&", "<", ">", "|", "*", "?", "#", "~", "%", "{", "}", "=",
        "&amp;", "&#39;", "</script>", "'\\''", "\\n", "\\\"", " ", "\t", "-", "--", "\\u00",
    ]
    /// Marks that join the scalar before them into one Character.
    public static let combiningMarks: [Unicode.Scalar] = [
        "\u{0301}", "\u{0300}", "\u{0308}", "\u{20DD}", "\u{FE0F}", "\u{034F}", "\u{200D}", "\u{1F3FD}",
    ]
    /// Prepended-concatenation marks: they join the scalar after them into one Character.
    public static let prependedMarks: [Unicode.Scalar] = [
        "\u{0600}", "\u{0601}", "\u{0602}", "\u{0603}", "\u{0604}", "\u{0605}", "\u{06DD}", "\u{070F}", "\u{08E2}",
        "\u{110BD}",
    ]
    /// Bidi embeddings, overrides, isolates and marks.
    public static let bidiControls: [Unicode.Scalar] = [
        "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}",
        "\u{200E}", "\u{200F}", "\u{061C}",
    ]
    /// Other multi-scalar Characters and separators.
    public static let clusters: [String] = [
        "👩‍👩‍👧", "👨🏽‍🚀", "🇺🇸", "\r\n", "\u{2028}", "\u{2029}", "\u{1100}\u{1161}\u{11A8}", "é", "e\u{301}", "中文",
    ]

    /// A random string of up to `maxPieces` pieces.
    public func string(maxPieces: Int = 16) -> String {
        var text = ""
        for _ in 0..<(1 + random.below(maxPieces)) { text += piece() }
        return text
    }

    /// One piece.
    public func piece() -> String {
        switch random.below(11) {
        case 0: return pick(Self.metacharacters)
        case 1: return pick(Self.metacharacters) + String(pick(Self.combiningMarks))
        case 2: return String(pick(Self.prependedMarks)) + pick(Self.metacharacters)
        case 3: return String(pick(Self.bidiControls))
        case 4: return String(Unicode.Scalar(UInt8(random.below(0x20))))
        case 5: return String(Unicode.Scalar(UInt32(0x7F + random.below(0x21)))!)
        case 6: return pick(Self.clusters)
        case 7:
            // Invalid UTF-8, decoded the way every reader of host bytes decodes it.
            let invalid: [[UInt8]] = [
                [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
            ]
            return String(decoding: pick(invalid) + [UInt8(ascii: "'")], as: UTF8.self)
        case 8:
            return "x"
                + String(
                    String.UnicodeScalarView(repeatElement(pick(Self.combiningMarks), count: 1 + random.below(40))))
        case 9: return String(Unicode.Scalar(UInt8(0x61 + random.below(26)))) + String(random.below(1000))
        default: return " word "
        }
    }

    /// `count` strings, each with the replay hint for its assertion message.
    public func strings(_ count: Int, maxPieces: Int = 16) -> [String] {
        (0..<count).map { _ in string(maxPieces: maxPieces) }
    }

    private func pick<T>(_ items: [T]) -> T {
        items[random.below(items.count)]
    }
}
