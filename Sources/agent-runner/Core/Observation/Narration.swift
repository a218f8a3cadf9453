import FleetCore

/// The one-line human form of an event used by `monitor --mode narrate` and `peek`'s recent
/// events: `[13:38:36.320] round_start                     round=2 phase=– config_changed=no`.
/// Values read as on the pages (``EventPayloadText``: `–` for nothing, `yes`/`no`, `2.5 s` for
/// `_s` keys), never Python's `None`/`False`; the kind is padded to the longest registered kind,
/// so the `key=value` column stays put whatever the event.
public enum Narration {
    /// The kind column's width: the longest registered event kind (a longer, unregistered kind
    /// from another version still gets one space after it).
    public static let kindWidth = EventKind.all.map(\.rawValue.count).max() ?? 20

    /// - Parameters:
    ///   - event: the raw event object (`ts`, `event`, payload).
    ///   - roundKey: how `round_num` is printed (`round` in narrate, `round_num` in peek).
    public static func line(_ event: JSONObject, roundKey: String = "round") -> String {
        let ts = event["ts"]?.stringValue ?? ""
        let time = ts.count >= 23 ? String(ts.dropFirst(11).prefix(12)) : ts
        let kind = event["event"]?.stringValue ?? "?"
        let pairs = EventPayloadText.pairs(event).map { "\($0.key == "round_num" ? roundKey : $0.key)=\($0.value)" }
        guard !pairs.isEmpty else { return "[\(time)] " + kind }
        let padding = String(repeating: " ", count: max(0, kindWidth - kind.count) + 1)
        return "[\(time)] " + kind + padding + pairs.joined(separator: " ")
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
