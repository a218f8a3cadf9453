/// A wall-clock reading with no zone attached: a calendar date and a time of day to the second.
///
/// Turning it into an instant needs a zone, and may give no instant (a daylight-saving gap) or
/// two (a fold); ``IANAZone/resolve(_:)`` says which.
public struct LocalDateTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let date: CivilDate
    /// 0...23
    public let hour: Int
    /// 0...59
    public let minute: Int
    /// 0...59
    public let second: Int

    /// A valid reading, or nil when a field is out of range (hour 24, minute 60...).
    public init?(date: CivilDate, hour: Int, minute: Int, second: Int = 0) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The reading `seconds` seconds after local midnight of 1970-01-01.
    public init(localSeconds seconds: Int64) {
        let (days, secondOfDay) = TimeArithmetic.floorDivision(seconds, 86_400)
        date = CivilDate(daysSinceEpoch: days)
        hour = Int(secondOfDay / 3_600)
        minute = Int(secondOfDay / 60 % 60)
        second = Int(secondOfDay % 60)
    }

    /// Seconds from local midnight of 1970-01-01, the scale zone offsets are added to (the value
    /// saturates at the ends of `Int64` for dates hundreds of billions of years away).
    public var localSeconds: Int64 {
        let (dayPart, overflow) = date.daysSinceEpoch.multipliedReportingOverflow(by: 86_400)
        if overflow { return date.year < 0 ? .min : .max }
        return TimeArithmetic.saturatingAdd(dayPart, Int64(hour * 3_600 + minute * 60 + second))
    }

    /// Minutes since midnight, 0...1439.
    public var minuteOfDay: Int { hour * 60 + minute }

    /// `2026-03-29T02:30:00`
    public var description: String {
        "\(date)T\(TimeArithmetic.twoDigits(hour)):\(TimeArithmetic.twoDigits(minute)):\(TimeArithmetic.twoDigits(second))"
    }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        (lhs.date, lhs.hour, lhs.minute, lhs.second) < (rhs.date, rhs.hour, rhs.minute, rhs.second)
    }
}
