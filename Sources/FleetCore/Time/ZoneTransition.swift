/// A moment at which a zone's clocks change: from `instant` on, local time is `after`.
public struct ZoneTransition: Sendable, Hashable {
    public let instant: UTCInstant
    public let before: LocalTimeType
    public let after: LocalTimeType

    public init(instant: UTCInstant, before: LocalTimeType, after: LocalTimeType) {
        self.instant = instant
        self.before = before
        self.after = after
    }

    /// How far the wall clock jumps at the transition: positive when it springs forward (a gap
    /// of wall times that never happen), negative when it falls back (a fold that happens twice).
    public var wallClockJump: Int64 {
        Int64(after.utcOffset) - Int64(before.utcOffset)
    }
}
