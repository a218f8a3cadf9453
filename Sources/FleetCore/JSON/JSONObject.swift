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

    private var keyList: [String] = []
    private var valueList: [JSONValue] = []
    private var index: [String: Int] = [:]

    /// An empty object.
    public init() {}

    /// Builds an object from pairs in order; a repeated key keeps its first position and its last value.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, JSONValue) {
        for (key, value) in pairs { self[key] = value }
    }

    /// The keys in insertion order.
    public var keys: [String] { keyList }

    /// The values in key order.
    public var values: [JSONValue] { valueList }

    /// Whether the object holds `key`.
    public func contains(_ key: String) -> Bool { index[key] != nil }

    /// The value for `key`, or nil when absent; assigning nil removes the key.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = index[key] else { return nil }
            return valueList[position]
        }
        set {
            if let newValue {
                if let position = index[key] {
                    valueList[position] = newValue
                } else {
                    index[key] = keyList.count
                    keyList.append(key)
                    valueList.append(newValue)
                }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Removes `key` and returns its value (nil when absent). O(n): later keys are re-indexed.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let position = index.removeValue(forKey: key) else { return nil }
        keyList.remove(at: position)
        let removed = valueList.remove(at: position)
        for later in position..<keyList.count { index[keyList[later]] = later }
        return removed
    }

    /// Order-sensitive equality: same keys in the same order with equal values.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.keyList == rhs.keyList && lhs.valueList == rhs.valueList
    }
}

extension JSONObject: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { keyList.count }
    public subscript(position: Int) -> Element { (keyList[position], valueList[position]) }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// `["ts": "…", "event": "round_end"]` keeps the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}
