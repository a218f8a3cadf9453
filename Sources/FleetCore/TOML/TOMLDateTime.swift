/// A date with a time of day, optionally anchored to a UTC offset.
///
/// Used for both TOML "offset date-time" (`offsetMinutes != nil`) and "local date-time"
/// (`offsetMinutes == nil`); `TOMLValue` tells the two apart by its case.
public struct TOMLDateTime: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The calendar date part.
    public var date: TOMLLocalDate
    /// The time-of-day part.
    public var time: TOMLLocalTime
    /// Offset from UTC in minutes (`Z` is 0), or `nil` for a local date-time.
    public var offsetMinutes: Int?

    /// Creates a date-time; pass `offsetMinutes: nil` for a local date-time.
    public init(date: TOMLLocalDate, time: TOMLLocalTime, offsetMinutes: Int?) {
        self.date = date
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    /// Canonical RFC 3339 form: `YYYY-MM-DDTHH:MM:SS[.fraction]` followed by `Z` for a zero offset,
    /// `±HH:MM` for other offsets, and nothing for a local date-time.
    public var description: String {
        let base = "\(date)T\(time)"
        guard let offset = offsetMinutes else { return base }
        if offset == 0 { return base + "Z" }
        let magnitude = offset.magnitude
        let sign = offset < 0 ? "-" : "+"
        return base + sign + TOMLLocalDate.pad(Int(magnitude / 60), 2) + ":" + TOMLLocalDate.pad(Int(magnitude % 60), 2)
    }
}
