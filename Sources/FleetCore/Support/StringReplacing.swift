extension String {
    /// Every occurrence of `target` replaced by `replacement` (without Foundation).
    ///
    /// Matches UTF-8 bytes, not `Character`s: escapers use it (`\` → `\\`), and a Character
    /// search misses a `\` or `"` that a combining mark joins into a larger grapheme cluster.
    /// A valid UTF-8 target only ever matches at scalar boundaries, so the result is valid too.
    public func replacingAll(_ target: String, with replacement: String) -> String {
        let needle = Array(target.utf8)
        guard let first = needle.first else { return self }
        let haystack = Array(utf8)
        guard haystack.count >= needle.count else { return self }
        var result: [UInt8] = []
        var index = 0
        var changed = false
        while index < haystack.count {
            if haystack[index] == first && index + needle.count <= haystack.count
                && haystack[index..<(index + needle.count)].elementsEqual(needle)
            {
                result += replacement.utf8
                index += needle.count
                changed = true
            } else {
                result.append(haystack[index])
                index += 1
            }
        }
        return changed ? String(decoding: result, as: UTF8.self) : self
    }
}
