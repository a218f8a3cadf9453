/// An insertion-ordered JSON object: the keys keep the order in which they were first added.
///
/// Order matters because event lines are written `ts`, `event`, then the payload keys in
/// emission order, and the output must match the original tool byte for byte.
///
/// Setting an existing key replaces its value but keeps its position, like a Python `dict`;
/// this is also how duplicate keys in parsed input behave (the last value wins, at the
/// position of the first occurrence). Lookup by key is O(1) through a hash index.
public struct JSONObject: Sendable, Equatable {
    /// One key/value pair, in the order the object keeps them.
    public typealias Element = (key: String, value: JSONValue)

    /// The pairs in order: one allocation per object.
    private var entries: [Element] = []
    /// Positions by key, built only once the object outgrows ``linearLimit`` keys.
    private var index: [String: Int]?

    /// Up to this many keys a lookup compares keys in order instead of hashing: cheaper for
    /// the small objects events and peek documents are made of (fleetctl parses thousands of
    /// them per poll cycle), and no dictionary to allocate.
    private static let linearLimit = 12

    /// An empty object.
    public init() {}

    /// Builds an object from pairs in order; a repeated key keeps its first position and its last value.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, JSONValue) {
        for (key, value) in pairs { self[key] = value }
    }

    /// The keys in insertion order.
    public var keys: [String] { entries.map(\.key) }

    /// The values in key order.
    public var values: [JSONValue] { entries.map(\.value) }

    /// Whether the object holds `key`.
    public func contains(_ key: String) -> Bool { position(of: key) != nil }

    /// The value for `key`, or nil when absent; assigning nil removes the key.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return entries[position].value
        }
        set {
            if let newValue {
                if let position = position(of: key) {
                    entries[position].value = newValue
                } else {
                    entries.append((key, newValue))
                    if index != nil {
                        index![key] = entries.count - 1
                    } else if entries.count > Self.linearLimit {
                        rebuildIndex()
                    }
                }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Removes `key` and returns its value (nil when absent). O(n): later keys move up.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let position = position(of: key) else { return nil }
        let removed = entries.remove(at: position).value
        if index != nil { rebuildIndex() }
        return removed
    }

    /// Order-sensitive equality: same keys in the same order with equal values.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return entries.firstIndex { $0.key == key }
    }

    private mutating func rebuildIndex() {
        guard entries.count > Self.linearLimit else {
            index = nil
            return
        }
        var positions: [String: Int] = [:]
        positions.reserveCapacity(entries.count)
        for (position, entry) in entries.enumerated() { positions[entry.key] = position }
        index = positions
    }
}

extension JSONObject: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { entries.count }
    public subscript(position: Int) -> Element { entries[position] }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// `["ts": "…", "event": "round_end"]` keeps the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}
