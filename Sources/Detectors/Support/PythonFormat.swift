import FleetCore

/// Number and string formatting the way the original tool's f-strings render them, so alert
/// messages read the same as the Python monitor's (`disk_used_pct 96.5 >= 95.0`,
/// `latest: Bash on 'pytest -x'`, `throttled until 2026-11-25T13:40:25+00:00`).
enum PythonFormat {
    /// `str(float)`: shortest round-trip digits, always with a fraction or exponent (`90.0`).
    static func float(_ value: Double) -> String {
        JSONWriter.formatDouble(value)
    }

    /// `f"{value:.Nf}"`: fixed-point with `decimals` digits, ties to even. Values too large for
    /// exact fixed-point work here (|v| ≥ 1e15) and non-finite values fall back to `float(_:)`.
    static func fixed(_ value: Double, decimals: Int) -> String {
        let decimals = max(0, min(decimals, 6))
        guard value.isFinite, value.magnitude < 1e15 else { return float(value) }
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value * Double(scale)).rounded(.toNearestOrEven)
        // Python keeps the sign of negative values that round to zero (`-0.0`).
        let sign = value.sign == .minus ? "-" : ""
        let magnitude = Int64(scaled).magnitude
        let whole = String(magnitude / UInt64(scale))
        guard decimals > 0 else { return sign + whole }
        let fraction = String(magnitude % UInt64(scale))
        return sign + whole + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// An integer-valued quantity (MiB counts, which the host writes as ints) without a `.0`;
    /// fractional values keep their `float` form.
    static func count(_ value: Double) -> String {
        isWhole(value) ? String(Int64(value)) : float(value)
    }

    /// The JSON form matching ``count(_:)``: `.int` for whole values, else `.double`.
    static func countJSON(_ value: Double) -> JSONValue {
        isWhole(value) ? .int(Int64(value)) : .double(value)
    }

    private static func isWhole(_ value: Double) -> Bool {
        value.isFinite && value.rounded() == value && value.magnitude < 9.0e15
    }

    /// A threshold fraction as a percentage without a needless `.0` (`0.2` → `20`, `0.125` → `12.5`).
    static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        let rounded = value.rounded()
        if value.isFinite, (value - rounded).magnitude < 1e-9, rounded.magnitude < 1e15 {
            return String(Int64(rounded))
        }
        return float(value)
    }

    /// `repr(value)` of a `str` or `None`: single quotes unless the text holds a single quote
    /// and no double quote; backslashes and control characters escaped.
    static func repr(_ value: String?) -> String {
        value.map(PythonRepr.string) ?? "None"
    }

    /// `datetime.fromtimestamp(epoch, UTC).isoformat()` for whole seconds: `2026-11-25T13:40:25+00:00`.
    static func isoUTC(epochSeconds: Int64) -> String {
        let stamp = EventTimestamp.format(UTCInstant(seconds: epochSeconds))
        // `YYYY-MM-DDTHH:MM:SS.mmmZ` → drop the milliseconds (always .000 here) and the Z.
        guard let dot = stamp.lastIndex(of: ".") else { return stamp }
        return String(stamp[..<dot]) + "+00:00"
    }
}
