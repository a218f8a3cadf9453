/// An event's payload as `key: value` pairs an operator reads: `timeout_s: 30 min`,
/// `duration_s: 201 ms`, `success: yes`, `paths_hash: –` (null or empty), never `None`, `null` or
/// `False`.
///
/// The key's unit suffix picks the form (`_s`, `_ms` durations, `_bytes`, `_kb`, `_mb` sizes,
/// `_pct` percentages, `_epoch` UTC times), as the payload tables in docs/events.md name them. Both
/// pages use it: a host's progress page (whose script, `ProgressPageScript`, applies the same
/// rules to live updates) and the fleet dashboard's host page.
public enum EventPayloadText {
    /// Every payload pair but `ts` and `event` (the table shows those in their own columns), in
    /// writing order.
    public static func pairs(_ event: JSONObject) -> [(key: String, value: String)] {
        event.filter { $0.key != "ts" && $0.key != "event" }.map { ($0.key, value($0.value, key: $0.key)) }
    }

    /// One value as text; containers are written `[a, b]` and `{key: value}` with the same rules.
    public static func value(_ value: JSONValue, key: String) -> String {
        switch value {
        case .null: return HumanText.missing
        case .bool(let bool): return bool ? "yes" : "no"
        case .int(let int): return number(Double(int), key: key)
        case .double(let double): return number(double, key: key)
        case .string(let string): return string.isEmpty ? HumanText.missing : string
        case .array(let array): return "[" + array.map { self.value($0, key: "") }.joined(separator: ", ") + "]"
        case .object(let object):
            return "{" + object.map { "\($0.key): " + self.value($0.value, key: "") }.joined(separator: ", ") + "}"
        }
    }

    static func number(_ number: Double, key: String) -> String {
        if key.hasSuffix("_ms") { return HumanText.duration(seconds: number / 1000) }
        if key.hasSuffix("_s") { return HumanText.duration(seconds: number) }
        if key.hasSuffix("_pct") { return HumanText.percent(number) }
        if key.hasSuffix("_epoch") { return HumanText.time(epochSeconds: number) }
        let factor: Double? =
            key.hasSuffix("_bytes") ? 1 : key.hasSuffix("_kb") ? 1024 : key.hasSuffix("_mb") ? 1_048_576 : nil
        if let factor {
            let count = (number * factor).rounded()
            return abs(count) <= 9_007_199_254_740_991 ? HumanText.bytes(Int(count)) : HumanText.missing
        }
        return HumanText.number(number)
    }
}
