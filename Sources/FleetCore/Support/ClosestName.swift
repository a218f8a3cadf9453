/// The known name a mistyped one most likely meant: the "did you mean 'status'?" of an unknown
/// verb, flag, config key, detector or event kind. One rule everywhere, so every program
/// suggests alike: the nearest name by edit distance (over UTF-8 bytes, a swap of neighbours one edit), offered only
/// when at most `max(2, length / 4)` edits away, so a word that is no typo gets no suggestion.
public enum ClosestName {
    /// The name in `known` nearest to `word`, or nil when none is close enough to be its typo
    /// (ties go to the first listed).
    public static func to(_ word: String, in known: [String]) -> String? {
        let typed = Array(word.utf8)
        let scored = known.map { ($0, editDistance(typed, Array($0.utf8))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 4) else { return nil }
        return best.0
    }

    /// `; did you mean 'x'?` when a close name exists, else the empty string: appended to an
    /// "unknown ..." message.
    public static func suggestion(for word: String, in known: [String]) -> String {
        to(word, in: known).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// Edits between `a` and `b`: insertions, deletions, substitutions and swaps of two
    /// neighbours (optimal string alignment), so `stauts` is one edit from `status`, not two.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = Array(repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
