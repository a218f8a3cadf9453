/// Any value a TOML document can hold.
///
/// The enum mirrors the TOML 1.0 data model one-to-one so that nothing is lost in parsing
/// (e.g. integers stay distinct from floats and local dates from offset date-times); the
/// accessor properties give lenient, optional-returning views for config loading code.
public enum TOMLValue: Sendable, Equatable {
    /// A string of any of the four TOML string kinds, with escapes resolved.
    case string(String)
    /// A 64-bit signed integer (decimal, hex, octal or binary in the source).
    case integer(Int64)
    /// An IEEE 754 binary64 float, including `inf` and `nan`.
    case float(Double)
    /// `true` or `false`.
    case boolean(Bool)
    /// A date-time with a UTC offset; `offsetMinutes` of the payload is never `nil`.
    case offsetDateTime(TOMLDateTime)
    /// A date-time without offset; `offsetMinutes` of the payload is always `nil`.
    case localDateTime(TOMLDateTime)
    /// A date without time.
    case localDate(TOMLLocalDate)
    /// A time of day without date.
    case localTime(TOMLLocalTime)
    /// An array (static array or array of tables); elements may have mixed types.
    case array([TOMLValue])
    /// A table (standard, inline, or an element of an array of tables).
    case table(TOMLTable)

    /// A short name of the value's TOML type, for error messages such as
    /// "runtime.max_rounds: expected integer, got string".
    public var typeName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .boolean: return "boolean"
        case .offsetDateTime: return "offset date-time"
        case .localDateTime: return "local date-time"
        case .localDate: return "local date"
        case .localTime: return "local time"
        case .array: return "array"
        case .table: return "table"
        }
    }

    /// The string payload, or `nil` if this is not a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer payload as `Int`, or `nil` if this is not an integer (or does not fit `Int`
    /// on a 32-bit platform).
    public var intValue: Int? {
        if case .integer(let value) = self { return Int(exactly: value) }
        return nil
    }

    /// The boolean payload, or `nil` if this is not a boolean.
    public var boolValue: Bool? {
        if case .boolean(let value) = self { return value }
        return nil
    }

    /// The value as a `Double`: floats as-is and integers widened (so `timeout = 5` works where a
    /// float is expected; integers beyond 2^53 round to the nearest double). `nil` for other types.
    public var doubleValue: Double? {
        switch self {
        case .float(let value): return value
        case .integer(let value): return Double(value)
        default: return nil
        }
    }

    /// The array elements, or `nil` if this is not an array.
    public var arrayValue: [TOMLValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The table payload, or `nil` if this is not a table.
    public var tableValue: TOMLTable? {
        if case .table(let value) = self { return value }
        return nil
    }
}
