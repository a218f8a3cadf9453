/// A JSON document as read from event logs, state files and other hosts' `peek --json` output.
///
/// Integers that fit in `Int64` stay exact (`.int`); everything else numeric is `.double`
/// (see `JSONParser` for how big integers and out-of-range exponents are handled).
/// The accessors below never trap: a wrong type or a missing key gives nil, so code that
/// reads untrusted input can use optional chaining throughout.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue {
    /// The member `key` when this is an object, else nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// The element at `index` when this is an array and the index is in range, else nil.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let array) = self, array.indices.contains(index) else { return nil }
        return array[index]
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        guard case .string(let string) = self else { return nil }
        return string
    }

    /// The integer, when this is an integer or an integral double within `Int64`'s range
    /// (Python writes `3.0` for some counters; both read as 3).
    public var intValue: Int64? {
        switch self {
        case .int(let int): return int
        case .double(let double): return Int64(exactly: double)
        default: return nil
        }
    }

    /// The number as a double, when this is any number (large integers round to the nearest double).
    public var doubleValue: Double? {
        switch self {
        case .int(let int): return Double(int)
        case .double(let double): return double
        default: return nil
        }
    }

    /// The boolean, when this is `true` or `false` (numbers are not booleans).
    public var boolValue: Bool? {
        guard case .bool(let bool) = self else { return nil }
        return bool
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        guard case .array(let array) = self else { return nil }
        return array
    }

    /// The members, when this is an object.
    public var objectValue: JSONObject? {
        guard case .object(let object) = self else { return nil }
        return object
    }

    /// Whether this is `null`.
    public var isNull: Bool { self == .null }

    /// Follows a dotted path such as `"system.disk_used_pct"` or `"rounds.0.exit_code"`.
    ///
    /// Each component is an object key, or a decimal index when the current value is an array.
    /// Keys that themselves contain dots cannot be addressed this way; use `value(atPath:)`.
    /// An empty path returns the value itself.
    public func value(at dottedPath: String) -> JSONValue? {
        if dottedPath.isEmpty { return self }
        return value(atPath: dottedPath.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
    }

    /// Follows a path given as components (object keys, or decimal indices into arrays).
    public func value(atPath components: [String]) -> JSONValue? {
        var current = self
        for component in components {
            switch current {
            case .object(let object):
                guard let next = object[component] else { return nil }
                current = next
            case .array(let array):
                guard let position = Int(component), array.indices.contains(position) else { return nil }
                current = array[position]
            default:
                return nil
            }
        }
        return current
    }
}

extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .int(value) }
}

extension JSONValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// Keeps the literal's key order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements))
    }
}

extension JSONValue {
    /// `3` for 3.0 and `2.5` for 2.5: an int when the number is whole, as Python's JSON writes
    /// a value that was an int on its side (`interval_s`, `sleep_s`).
    public static func wholeOrFraction(_ value: Double) -> JSONValue {
        value.isFinite && value == value.rounded() && abs(value) < 9e15 ? .int(Int64(value)) : .double(value)
    }
}
