/// A calendar date without time or offset (TOML "local date", e.g. `1979-05-27`).
///
/// Values produced by the parser are always valid Gregorian dates in years 0000–9999.
public struct TOMLLocalDate: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Four-digit year, 0...9999.
    public var year: Int
    /// Month of the year, 1...12.
    public var month: Int
    /// Day of the month, 1...28/29/30/31 depending on month and leap year.
    public var day: Int

    /// Creates a date from its components; no validation is performed here.
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// RFC 3339 `full-date` form, `YYYY-MM-DD`.
    public var description: String {
        "\(TOMLLocalDate.pad(year, 4))-\(TOMLLocalDate.pad(month, 2))-\(TOMLLocalDate.pad(day, 2))"
    }

    /// Number of days in `month` of `year` in the proleptic Gregorian calendar (0 for an invalid month).
    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2:
            let isLeap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return isLeap ? 29 : 28
        default: return 0
        }
    }

    /// Zero-pads a non-negative number to `width` digits, for canonical date/time strings.
    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
