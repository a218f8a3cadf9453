/// The effective configuration `ssh -G` prints for one host: one `keyword value` per line,
/// keywords in lower case, some keywords repeated (`identityfile`) or holding several
/// space-separated values (`userknownhostsfile`).
public struct SSHConfigDump: Sendable, Equatable {
    /// Keyword (lower case) → each line's value, in order.
    public private(set) var entries: [String: [String]]

    /// Parses `ssh -G` output; lines without a value are ignored, nothing is rejected.
    public init(parsing text: String) {
        var entries: [String: [String]] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = String(rawLine).trimmingSpaces()
            guard let space = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else { continue }
            let key = line[..<space].lowercased()
            let value = String(line[space...]).trimmingSpaces()
            guard !key.isEmpty, !value.isEmpty else { continue }
            entries[key, default: []].append(value)
        }
        self.entries = entries
    }

    /// Every value of `keyword` (any case), one per line.
    public func values(_ keyword: String) -> [String] {
        entries[keyword.lowercased()] ?? []
    }

    /// The first value of `keyword`, lower-cased for comparison, or nil.
    public func setting(_ keyword: String) -> String? {
        values(keyword).first?.lowercased()
    }
}
