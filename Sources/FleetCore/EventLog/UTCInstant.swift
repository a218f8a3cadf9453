/// A point in time as seconds and nanoseconds since 1970-01-01T00:00:00Z, with the UTC
/// (proleptic Gregorian) calendar computed by hand so the library needs no Foundation.
///
/// The calendar conversion uses Howard Hinnant's days-from-civil algorithm; all arithmetic
/// stays within `Int64` for every representable instant, so no input can trap.
public struct UTCInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whole seconds since the Unix epoch (negative before 1970).
    public let seconds: Int64
    /// Nanoseconds past `seconds`, always in `0..<1_000_000_000`.
    public let nanoseconds: Int32

    /// A UTC calendar date and time of day.
    public struct Components: Sendable, Hashable {
        /// The year (astronomical numbering: year 0 is 1 BC).
        public var year: Int64
        /// 1...12
        public var month: Int
        /// 1...31
        public var day: Int
        /// 0...23
        public var hour: Int
        /// 0...59
        public var minute: Int
        /// 0...59
        public var second: Int
        /// 0..<1_000_000_000
        public var nanosecond: Int

        /// Creates components; no validation happens until they are turned into an instant.
        public init(
            year: Int64, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, nanosecond: Int = 0
        ) {
            self.year = year
            self.month = month
            self.day = day
            self.hour = hour
            self.minute = minute
            self.second = second
            self.nanosecond = nanosecond
        }
    }

    /// An instant from epoch seconds and a nanosecond part; nanoseconds outside `0..<1e9` carry
    /// into the seconds (saturating at the ends of the `Int64` range).
    public init(seconds: Int64, nanoseconds: Int64 = 0) {
        let (carry, remainder) = UTCInstant.floorDivision(nanoseconds, 1_000_000_000)
        let (total, overflow) = seconds.addingReportingOverflow(carry)
        if overflow {
            self.seconds = carry > 0 ? .max : .min
            self.nanoseconds = carry > 0 ? 999_999_999 : 0
        } else {
            self.seconds = total
            self.nanoseconds = Int32(remainder)
        }
    }

    /// The instant for valid UTC calendar components, or nil when any field is out of range
    /// (month 13, February 30th, hour 24, a year beyond ±1 000 000 000...).
    public init?(_ components: Components) {
        let c = components
        guard (-1_000_000_000...1_000_000_000).contains(c.year), (1...12).contains(c.month),
            (1...UTCInstant.daysInMonth(year: c.year, month: c.month)).contains(c.day),
            (0...23).contains(c.hour), (0...59).contains(c.minute), (0...59).contains(c.second),
            (0..<1_000_000_000).contains(c.nanosecond)
        else { return nil }
        let days = CivilDate.daysSinceEpoch(year: c.year, month: c.month, day: c.day)
        self.init(
            seconds: days * 86_400 + Int64(c.hour * 3_600 + c.minute * 60 + c.second), nanoseconds: Int64(c.nanosecond))
    }

    /// The UTC calendar components of this instant.
    public var components: Components {
        let (days, secondOfDayValue) = UTCInstant.floorDivision(seconds, 86_400)
        let secondOfDay = Int(secondOfDayValue)
        let date = CivilDate(daysSinceEpoch: days)
        return Components(
            year: date.year, month: date.month, day: date.day,
            hour: secondOfDay / 3_600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60,
            nanosecond: Int(nanoseconds)
        )
    }

    /// This instant moved by `delta` seconds, saturating at the ends of the range.
    public func adding(seconds delta: Int64) -> UTCInstant {
        let (moved, overflow) = seconds.addingReportingOverflow(delta)
        if overflow { return UTCInstant(seconds: delta > 0 ? .max : .min, nanoseconds: delta > 0 ? 999_999_999 : 0) }
        return UTCInstant(seconds: moved, nanoseconds: Int64(nanoseconds))
    }

    public static func < (lhs: UTCInstant, rhs: UTCInstant) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// The event-log timestamp form, e.g. `2026-11-25T13:38:29.971Z`.
    public var description: String { EventTimestamp.format(self) }

    /// Days in `month` of `year` in the proleptic Gregorian calendar.
    public static func daysInMonth(year: Int64, month: Int) -> Int {
        switch month {
        case 2:
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Quotient rounded toward negative infinity and the matching non-negative remainder, without overflow.
    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}
