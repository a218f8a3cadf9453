import FleetCore

/// Reads DevTools `Runtime.RemoteObject`s (what `Runtime.evaluate` returns with
/// `returnByValue: true`) as `JSONValue`s, and decides JavaScript truthiness for waits.
enum RemoteValue {
    /// The value as JSON. `undefined` is `null`; numbers JSON cannot hold (`NaN`, `Infinity`,
    /// `-Infinity`, `-0`) are doubles; a BigInt is its decimal string (`"12345678901234567890"`).
    static func json(_ remoteObject: JSONValue) -> JSONValue {
        if let unserializable = remoteObject["unserializableValue"]?.stringValue {
            switch unserializable {
            case "NaN": return .double(.nan)
            case "Infinity": return .double(.infinity)
            case "-Infinity": return .double(-.infinity)
            case "-0": return .double(-0.0)
            default:
                return .string(unserializable.hasSuffix("n") ? String(unserializable.dropLast()) : unserializable)
            }
        }
        return remoteObject["value"] ?? .null
    }

    /// JavaScript's `!!value`: false for `undefined`, `null`, `false`, `0`, `-0`, `NaN`, `""`
    /// and `0n`; true for everything else, including empty objects and arrays.
    static func isTruthy(_ remoteObject: JSONValue) -> Bool {
        switch remoteObject["type"]?.stringValue {
        case "undefined":
            return false
        case "object":
            return remoteObject["subtype"]?.stringValue != "null"
        case "boolean":
            return remoteObject["value"]?.boolValue ?? false
        case "number":
            if let unserializable = remoteObject["unserializableValue"]?.stringValue {
                return unserializable != "NaN" && unserializable != "-0"
            }
            return (remoteObject["value"]?.doubleValue ?? 0) != 0
        case "string":
            return !(remoteObject["value"]?.stringValue ?? "").isEmpty
        case "bigint":
            return remoteObject["unserializableValue"]?.stringValue != "0n"
        default:  // function, symbol
            return true
        }
    }

    /// A value for an error message: compact JSON, or `undefined`.
    static func jsonText(_ value: JSONValue) -> String {
        JSONWriter(style: .compact).string(value)
    }

    /// What a remote object shows in an error message: its JSON value, else chromium's own
    /// description (`undefined`, `HTMLDivElement`, `ƒ () {}`).
    static func displayText(remoteObject: JSONValue) -> String {
        if remoteObject["type"]?.stringValue == "undefined" { return "undefined" }
        if let value = remoteObject["value"] { return jsonText(value) }
        return remoteObject["unserializableValue"]?.stringValue ?? remoteObject["description"]?.stringValue
            ?? remoteObject["type"]?.stringValue ?? "?"
    }
}
