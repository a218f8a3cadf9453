/// A TOML table: string keys mapped to values, in the order the keys first appeared in the
/// document, each remembering where it was defined.
///
/// Source positions let configuration code report errors such as
/// `agent-runner.toml:12: runtime.max_rounds: must be positive` long after parsing.
/// Iterating yields `(key, value)` pairs in document order.
public struct TOMLTable: Sendable, Equatable, Sequence {
    private struct Entry: Sendable {
        var key: String
        var value: TOMLValue
        var position: TOMLPosition
    }

    /// Tables with at most this many keys are searched linearly, which is faster than hashing
    /// for the small tables typical of configuration files.
    static let linearSearchLimit = 8

    private var entries: [Entry] = []
    /// Key-to-entry index, built only once the table outgrows `linearSearchLimit`.
    private var indexByKey: [TOMLKey: Int]?

    /// Creates an empty table.
    public init() {}

    /// The keys in document order.
    public var keys: [String] { entries.map(\.key) }

    /// The number of keys.
    public var count: Int { entries.count }

    /// Whether the table has no keys.
    public var isEmpty: Bool { entries.isEmpty }

    /// The value stored under `key`, or `nil` if the key is absent. Keys match by exact UTF-8
    /// bytes (no Unicode normalization), as TOML requires.
    public subscript(key: String) -> TOMLValue? {
        guard let index = index(of: key) else { return nil }
        return entries[index].value
    }

    /// Where `key` was defined in the source: the key itself for `key = value` and dotted keys,
    /// the `[header]` / `[[header]]` for tables and arrays of tables (the first `[[header]]` for
    /// an array of tables). `nil` if the key is absent.
    public func position(of key: String) -> TOMLPosition? {
        guard let index = index(of: key) else { return nil }
        return entries[index].position
    }

    /// Iterates `(key, value)` pairs in document order.
    public func makeIterator() -> some IteratorProtocol<(key: String, value: TOMLValue)> {
        entries.lazy.map { (key: $0.key, value: $0.value) }.makeIterator()
    }

    /// Tables are equal when they hold the same keys with equal values; key order and source
    /// positions are ignored.
    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for entry in lhs.entries where rhs[entry.key] != entry.value {
            return false
        }
        return true
    }

    /// Appends a key that is not yet present (the parser's table builder guarantees uniqueness).
    mutating func append(_ value: TOMLValue, for key: String, at position: TOMLPosition) {
        entries.append(Entry(key: key, value: value, position: position))
        if indexByKey != nil {
            indexByKey?[TOMLKey(key)] = entries.count - 1
        } else if entries.count > TOMLTable.linearSearchLimit {
            indexByKey = Dictionary(
                entries.indices.map { (TOMLKey(entries[$0].key), $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    private func index(of key: String) -> Int? {
        let wanted = TOMLKey(key)
        if let indexByKey { return indexByKey[wanted] }
        return entries.firstIndex { TOMLKey($0.key) == wanted }
    }
}
