import FleetCore

/// The one-line human form of an event used by `monitor --mode narrate` and the progress page:
/// `[13:38:36.320] round_start          round=2 phase=None config_changed=False`. Values are
/// written as Python's `str()` writes them, as the original did, so transcripts compare.
public enum Narration {
    /// - Parameters:
    ///   - event: the raw event object (`ts`, `event`, payload).
    ///   - eventWidth: the kind is left-aligned to this width (20 for narrate, 25 on the page).
    ///   - roundKey: how `round_num` is printed (`round` in narrate, `round_num` on the page).
    public static func line(_ event: JSONObject, eventWidth: Int = 20, roundKey: String = "round") -> String {
        let ts = event["ts"]?.stringValue ?? ""
        let time = ts.count >= 23 ? String(ts.dropFirst(11).prefix(12)) : ts
        let kind = event["event"]?.stringValue ?? "?"
        let line = "[\(time)] " + kind + String(repeating: " ", count: max(0, eventWidth - kind.count)) + " "
        var pairs: [String] = []
        for (key, value) in event where key != "ts" && key != "event" {
            pairs.append("\(key == "round_num" ? roundKey : key)=\(pythonString(value))")
        }
        return line + pairs.joined(separator: " ")
    }

    /// Python's `str(value)` for a JSON value.
    public static func pythonString(_ value: JSONValue) -> String {
        if case .string(let string) = value { return string }
        return pythonRepr(value)
    }

    /// Python's `repr(value)` for a JSON value (strings quoted, containers recursive).
    public static func pythonRepr(_ value: JSONValue) -> String {
        switch value {
        case .null: return "None"
        case .bool(let bool): return bool ? "True" : "False"
        case .int(let int): return String(int)
        case .double(let double):
            return JSONWriter.formatDouble(double).replacingAll("Infinity", with: "inf").replacingAll(
                "NaN", with: "nan")
        case .string(let string): return PythonRepr.string(string)
        case .array(let array): return "[" + array.map(pythonRepr).joined(separator: ", ") + "]"
        case .object(let object):
            return "{"
                + object.map { "\(pythonRepr(.string($0.key))): \(pythonRepr($0.value))" }.joined(separator: ", ") + "}"
        }
    }
}
