/// Bounds text by its UTF-8 size, cutting on a Unicode scalar boundary.
///
/// A `Character` (a grapheme cluster) has no size limit: one letter followed by 300 000
/// combining marks is one Character of 600 KB. Clipping "to 200 characters" therefore bounds
/// nothing, and a hostile host or agent used that to make a hook's argument exceed the kernel's
/// 128 KiB limit and the watch state outgrow its own read limit. Every bound on text we store,
/// send or pass to a process is a bound in bytes, taken here.
public enum UTF8Clip {
    /// The longest prefix of `text` that is at most `maxBytes` UTF-8 bytes and ends on a scalar
    /// boundary (a cut never leaves half a scalar; a combining mark may lose its base's company).
    public static func prefix(_ text: String, maxBytes: Int) -> String {
        let limit = max(0, maxBytes)
        guard text.utf8.count > limit else { return text }
        let bytes = Array(text.utf8.prefix(limit + 1))
        var end = limit
        while end > 0 && isContinuation(bytes[end]) { end -= 1 }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// The longest suffix of `text` that is at most `maxBytes` UTF-8 bytes and starts on a scalar
    /// boundary.
    public static func suffix(_ text: String, maxBytes: Int) -> String {
        let limit = max(0, maxBytes)
        guard text.utf8.count > limit else { return text }
        let bytes = Array(text.utf8.suffix(limit))
        var start = 0
        while start < bytes.count && isContinuation(bytes[start]) { start += 1 }
        return String(decoding: bytes[start...], as: UTF8.self)
    }

    /// At most `maxScalars` Unicode scalars of `text` and at most `maxBytes` bytes: for fields the
    /// original tool cut to N code points (`text[:200]`), which stay the same for ordinary text
    /// and are bounded in bytes for hostile text.
    public static func prefix(_ text: String, maxScalars: Int, maxBytes: Int) -> String {
        clip(text, maxBytes: maxBytes, maxScalars: maxScalars, marker: "")
    }

    /// `text` itself when it fits in `maxBytes`, else its prefix followed by `marker`, the whole
    /// at most `maxBytes` bytes (`maxScalars`, when given, bounds the kept prefix's scalars too,
    /// for messages whose length the original tool counted in code points).
    public static func clip(_ text: String, maxBytes: Int, maxScalars: Int? = nil, marker: String = "…") -> String {
        let tooManyScalars = maxScalars.map { text.unicodeScalars.count > $0 } ?? false
        guard tooManyScalars || text.utf8.count > maxBytes else { return text }
        var kept = text
        if let maxScalars, tooManyScalars {
            kept = String(String.UnicodeScalarView(text.unicodeScalars.prefix(max(0, maxScalars))))
        }
        return prefix(kept, maxBytes: maxBytes - marker.utf8.count) + marker
    }

    /// At most the last `maxScalars` Unicode scalars of `text` and at most `maxBytes` bytes.
    public static func suffix(_ text: String, maxScalars: Int, maxBytes: Int) -> String {
        var kept = text
        if text.unicodeScalars.count > maxScalars {
            kept = String(String.UnicodeScalarView(text.unicodeScalars.suffix(max(0, maxScalars))))
        }
        return suffix(kept, maxBytes: maxBytes)
    }

    /// `text` itself when it fits in `maxBytes`, else `marker` followed by its suffix, the whole
    /// at most `maxBytes` bytes: for tails (a transcript's last lines, a command's stderr).
    public static func clipTail(_ text: String, maxBytes: Int, marker: String = "…") -> String {
        guard text.utf8.count > maxBytes else { return text }
        return marker + suffix(text, maxBytes: maxBytes - marker.utf8.count)
    }

    private static func isContinuation(_ byte: UInt8) -> Bool {
        byte & 0xC0 == 0x80
    }
}
