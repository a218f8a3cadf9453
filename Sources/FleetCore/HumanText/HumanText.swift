/// Values as an operator reads them: `3 min 12 s`, `5 min ago`, `1.5 KiB`, `3 processes`.
///
/// The one formatter for people: both pages (the fleet dashboard and a host's progress page),
/// `monitor --mode narrate`, and every duration, count and number in the two programs' messages
/// format through here, so the same value reads the same everywhere (never `0.136787148s`,
/// `5.0s` or `process(es)`). An absent value is always ``missing``, never `None`, `null` or
/// `False`: those are how a program prints nothing, not what an operator should have to read.
/// The progress page's script (`ProgressPageScript`) mirrors these rules for its live updates.
public enum HumanText {
    /// Shown for every absent or unusable value (an en dash).
    public static let missing = "–"

    /// `850 ms` below a second, `12.4 s` below a minute (`5 s` for a whole number), then the two
    /// largest units, the smaller one truncated: `3 min 12 s`, `2 h 5 min`, `3 d 4 h` (`3 min`,
    /// not `3 min 0 s`).
    public static func duration(seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, abs(seconds) < 1e15 else { return missing }
        if seconds < 0 { return "-" + duration(seconds: -seconds) }
        let milliseconds = (seconds * 1000).rounded()
        if milliseconds < 1000 { return "\(Int64(milliseconds)) ms" }
        let tenths = (seconds * 10).rounded()
        if tenths < 600 {
            return (tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int64(tenths / 10)) : oneDecimal(tenths))
                + " s"
        }
        let whole = Int64(seconds.rounded())
        if whole < 3_600 { return pair(whole / 60, "min", whole % 60, "s") }
        if whole < 86_400 { return pair(whole / 3_600, "h", whole % 3_600 / 60, "min") }
        return pair(whole / 86_400, "d", whole % 86_400 / 3_600, "h")
    }

    /// `2026-12-03 06:58:12 UTC` (the fraction dropped).
    public static func time(epochSeconds: Double?) -> String {
        guard let epochSeconds, epochSeconds.isFinite, abs(epochSeconds) < 1e15 else { return missing }
        let c = UTCInstant(seconds: Int64(epochSeconds.rounded(.down))).components
        let date = CivilDate(year: c.year, month: c.month, day: c.day)?.description ?? missing
        return "\(date) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) UTC"
    }

    /// How long ago `epochSeconds` was at `now`: `just now` within 5 s either way, then `42 s
    /// ago`, `5 min ago`, `3 h ago`, `2 d ago` (truncated); a future instant reads `in 4 min`
    /// (a throttle's end, a clock that disagrees with this one).
    public static func age(epochSeconds: Double?, now: Double) -> String {
        guard let epochSeconds, epochSeconds.isFinite, now.isFinite, abs(now - epochSeconds) < 1e15 else {
            return missing
        }
        let delta = now - epochSeconds
        if abs(delta) < 5 { return "just now" }
        let span = Int64(abs(delta).rounded(.down))
        let amount: String
        switch span {
        case ..<60: amount = "\(span) s"
        case ..<3_600: amount = "\(span / 60) min"
        case ..<86_400: amount = "\(span / 3_600) h"
        default: amount = "\(span / 86_400) d"
        }
        return delta > 0 ? amount + " ago" : "in " + amount
    }

    /// `512 B`, then binary units with one decimal: `1.5 KiB`, `3.2 MiB`, `7.0 GiB`, `1.2 TiB`.
    public static func bytes(_ count: Int?) -> String {
        guard let count else { return missing }
        if count < 0 { return "-" + bytes(count == .min ? .max : -count) }
        if count < 1024 { return "\(count) B" }
        var value = Double(count)
        for unit in ["KiB", "MiB", "GiB", "TiB", "PiB"] {
            value /= 1024
            let tenths = (value * 10).rounded()
            if tenths < 10240 || unit == "PiB" { return oneDecimal(tenths) + " " + unit }
        }
        return missing
    }

    /// A value already in percent, with one decimal: `87.5%`, `100.0%`.
    public static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite, abs(value) < 1e15 else { return missing }
        let tenths = (abs(value) * 10).rounded()
        return (value < 0 && tenths > 0 ? "-" : "") + oneDecimal(tenths) + "%"
    }

    /// `124` tenths as `12.4`.
    static func oneDecimal(_ tenths: Double) -> String {
        let whole = Int64(tenths)
        return "\(whole / 10).\(whole % 10)"
    }

    private static func pair(_ major: Int64, _ majorUnit: String, _ minor: Int64, _ minorUnit: String) -> String {
        minor == 0 ? "\(major) \(majorUnit)" : "\(major) \(majorUnit) \(minor) \(minorUnit)"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
