/// An instant together with what the clocks of one zone show at it.
public struct ZonedDateTime: Sendable, Hashable, CustomStringConvertible {
    public let instant: UTCInstant
    /// The wall-clock reading.
    public let local: LocalDateTime
    /// The kind of local time in force (offset, daylight saving, abbreviation).
    public let type: LocalTimeType

    public init(instant: UTCInstant, local: LocalDateTime, type: LocalTimeType) {
        self.instant = instant
        self.local = local
        self.type = type
    }

    /// Seconds east of UTC.
    public var utcOffset: Int32 { type.utcOffset }
    public var abbreviation: String { type.abbreviation }
    public var weekday: Weekday { local.date.weekday }

    /// Python's `datetime.isoformat()` of an aware datetime, the form the original tool writes
    /// into `schedule_paused.resume_at`: `2026-03-30T09:00:00+02:00`, microseconds only when
    /// non-zero, offset seconds only when non-zero (`+00:53:28`, a 19th-century mean time).
    public var iso8601: String {
        var text = local.description
        let microseconds = Int(instant.nanoseconds) / 1_000
        if microseconds != 0 {
            let digits = String(microseconds)
            text += "." + String(repeating: "0", count: 6 - digits.count) + digits
        }
        return text + Self.offsetText(utcOffset, separator: ":", keepSeconds: true)
    }

    /// `date '+%F %T %z %Z %a'` in the C locale: `2026-03-29 03:00:00 +0200 CEST Sun`.
    public var description: String {
        "\(local.date) \(TimeArithmetic.twoDigits(local.hour)):\(TimeArithmetic.twoDigits(local.minute)):\(TimeArithmetic.twoDigits(local.second)) "
            + "\(Self.offsetText(utcOffset, separator: "", keepSeconds: false)) \(abbreviation) \(weekday.abbreviation)"
    }

    /// `+02:00`, `-03:30`, and `+00:53:28` when `keepSeconds` and the offset has seconds;
    /// with an empty separator and no seconds, `+0200` as `strftime`'s `%z`.
    static func offsetText(_ offset: Int32, separator: String, keepSeconds: Bool) -> String {
        let sign = offset < 0 ? "-" : "+"
        let magnitude = Int(offset.magnitude)
        var text =
            sign + TimeArithmetic.twoDigits(magnitude / 3_600) + separator
            + TimeArithmetic.twoDigits(magnitude / 60 % 60)
        if keepSeconds && magnitude % 60 != 0 {
            text += separator + TimeArithmetic.twoDigits(magnitude % 60)
        }
        return text
    }
}
