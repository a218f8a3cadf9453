/// A date in the proleptic Gregorian calendar with no time zone attached: what a wall calendar
/// shows. Time-zone rules and `[schedule]` windows do their arithmetic on it.
///
/// Days are counted from 1970-01-01 with Howard Hinnant's algorithms ("chrono-Compatible
/// Low-Level Date Algorithms"); every day count an `Int64` second count can produce converts
/// without overflow.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The year (astronomical numbering: year 0 is 1 BC).
    public let year: Int64
    /// 1...12
    public let month: Int
    /// 1...31
    public let day: Int

    /// A valid date, or nil for February 30th, month 13 or a year beyond ±1 000 000 000.
    public init?(year: Int64, month: Int, day: Int) {
        guard (-1_000_000_000...1_000_000_000).contains(year), (1...12).contains(month),
            (1...CivilDate.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1970-01-01 (before it when negative).
    public init(daysSinceEpoch days: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        self.year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.month = Int(month)
        self.day = Int(day)
    }

    /// Days from 1970-01-01 to this date.
    public var daysSinceEpoch: Int64 {
        CivilDate.daysSinceEpoch(year: year, month: month, day: day)
    }

    /// The day of the week.
    public var weekday: Weekday {
        CivilDate.weekday(daysSinceEpoch: daysSinceEpoch)
    }

    /// This date moved by `days` days.
    public func adding(days: Int64) -> CivilDate {
        CivilDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// `2026-03-29`
    public var description: String {
        let yearText = year < 0 ? "-" + Self.pad(-year, 4) : Self.pad(year, 4)
        return "\(yearText)-\(Self.pad(Int64(month), 2))-\(Self.pad(Int64(day), 2))"
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    // MARK: Calendar arithmetic

    /// Days from 1970-01-01 to `year-month-day`, for any month 1...12 and any day (day 0 is the
    /// last day of the previous month, day 32 spills into the next), so rule arithmetic can
    /// count past month ends without validating first.
    public static func daysSinceEpoch(year: Int64, month: Int, day: Int) -> Int64 {
        let m = Int64(month)
        let y = m <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The weekday of the day `days` days after 1970-01-01 (a Thursday).
    public static func weekday(daysSinceEpoch days: Int64) -> Weekday {
        let index = (days % 7 + 7 + 3) % 7
        return Weekday(rawValue: Int(index))!
    }

    /// Whether `year` has a February 29th.
    public static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Days in `month` (1...12) of `year`.
    public static func daysInMonth(year: Int64, month: Int) -> Int {
        UTCInstant.daysInMonth(year: year, month: month)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
