/// A time of day without date or offset (TOML "local time", e.g. `07:32:00.999`).
///
/// Fractional seconds are kept with nanosecond precision; extra digits in the source are
/// truncated, as the TOML specification requires.
public struct TOMLLocalTime: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Hour, 0...23.
    public var hour: Int
    /// Minute, 0...59.
    public var minute: Int
    /// Second, 0...60 (60 allows a leap second, as in RFC 3339).
    public var second: Int
    /// Fractional second in nanoseconds, 0...999_999_999.
    public var nanosecond: Int

    /// Creates a time from its components; no validation is performed here.
    public init(hour: Int, minute: Int, second: Int, nanosecond: Int = 0) {
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
    }

    /// RFC 3339 `partial-time` form, `HH:MM:SS[.fraction]`, with trailing zeros of the fraction
    /// removed so equal times always print identically.
    public var description: String {
        var text = "\(TOMLLocalDate.pad(hour, 2)):\(TOMLLocalDate.pad(minute, 2)):\(TOMLLocalDate.pad(second, 2))"
        if nanosecond > 0 {
            var fraction = TOMLLocalDate.pad(nanosecond, 9)
            while fraction.last == "0" { fraction.removeLast() }
            text += "." + fraction
        }
        return text
    }
}
