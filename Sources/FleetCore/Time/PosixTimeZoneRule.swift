/// The rule a TZif file's footer states for all time after its last listed transition, in the
/// POSIX `TZ` form (RFC 8536 §3.3, with the version 3 extension of rule times from -167 to 167
/// hours): `CET-1CEST,M3.5.0,M10.5.0/3`, `<+1030>-10:30<+11>-11,M10.1.0,M4.1.0`, `<-03>3`.
///
/// Zone files from slim tzdata builds list no transitions past the current year's rules, so
/// every instant after them (a 2030 resume time, year 2100) is computed from this rule.
public struct PosixTimeZoneRule: Sendable, Hashable {
    /// The day of the year a daylight-saving change happens.
    public enum Day: Sendable, Hashable {
        /// `Jn`: day 1...365, February 29th never counted (`J60` is always March 1st).
        case julianSkippingLeapDay(Int)
        /// `n`: day 0...365, February 29th counted.
        case zeroBasedDayOfYear(Int)
        /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (1...5, 5 = the last) of month `m`.
        case monthWeekDay(month: Int, week: Int, weekday: Int)
    }

    /// One change of the year: a day, and the local wall time it happens at (seconds after
    /// local midnight, read on the clock in force just before the change; may be negative or
    /// beyond 24 h).
    public struct Change: Sendable, Hashable {
        public let day: Day
        public let time: Int32
    }

    /// The daylight-saving half of a rule.
    public struct DaylightSaving: Sendable, Hashable {
        public let type: LocalTimeType
        public let start: Change
        public let end: Change
    }

    /// The rule as written.
    public let text: String
    public let standard: LocalTimeType
    /// Nil for a zone that keeps one offset all year (`<-03>3`, `UTC0`).
    public let daylightSaving: DaylightSaving?

    /// Parses a POSIX `TZ` rule; a malformed one is an error naming the position.
    public init(_ text: String) throws(PosixTimeZoneRuleError) {
        var parser = PosixTimeZoneRuleParser(text)
        let (standard, daylightSaving) = try parser.parse()
        self.text = text
        self.standard = standard
        self.daylightSaving = daylightSaving
    }

    /// The local time in force `seconds` after the epoch.
    public func localTimeType(at seconds: Int64) -> LocalTimeType {
        guard let daylightSaving else { return standard }
        let reduced = Self.reduce(seconds).reduced
        return isDaylightSaving(atReduced: reduced, daylightSaving) ? daylightSaving.type : standard
    }

    /// The first change of local time strictly after `seconds`, or nil when the rule keeps one
    /// time all year (or the change lies beyond the range of `Int64` seconds).
    public func nextTransition(after seconds: Int64) -> ZoneTransition? {
        guard let daylightSaving else { return nil }
        let (reduced, shift) = Self.reduce(seconds)
        guard let shift else { return nil }
        let year = Self.year(ofReduced: reduced)
        let changes = self.changes(years: (year - 2)...(year + 3), daylightSaving)
        // Changes of year + 3 start at most 8 days before its January 1st (rule times reach
        // ±167 h, offsets ±25 h); groups before that are complete, and a rule that changes at
        // all changes within two years.
        let horizon = (CivilDate.daysSinceEpoch(year: year + 3, month: 1, day: 1) - 8) * 86_400
        let current = Self.state(at: reduced, changes)
        var index = changes.firstIndex { $0.at > reduced } ?? changes.endIndex
        while index < changes.endIndex && changes[index].at < horizon {
            // Changes at one instant (the end of one year's all-year daylight saving and the
            // start of the next) count together: only the state after the last of them matters.
            var last = index
            while last + 1 < changes.endIndex && changes[last + 1].at == changes[index].at { last += 1 }
            if changes[last].toDaylightSaving != current {
                let (instant, overflow) = changes[last].at.addingReportingOverflow(shift)
                if overflow { return nil }
                let before = current ? daylightSaving.type : standard
                let after = current ? standard : daylightSaving.type
                return ZoneTransition(instant: UTCInstant(seconds: instant), before: before, after: after)
            }
            index = last + 1
        }
        return nil
    }

    // MARK: Evaluation

    /// A change in UTC seconds (in the reduced cycle) and the state it switches to.
    private struct ChangeInstant {
        let at: Int64
        let toDaylightSaving: Bool
    }

    private static let cycleSeconds: Int64 = 146_097 * 86_400

    /// The Gregorian calendar repeats every 400 years (146 097 days, a whole number of weeks),
    /// so each instant is evaluated at its counterpart in the cycle starting 1970, where no
    /// arithmetic can overflow; `shift` maps results back (nil when that is not representable).
    private static func reduce(_ seconds: Int64) -> (reduced: Int64, shift: Int64?) {
        let remainder = TimeArithmetic.floorDivision(seconds, cycleSeconds).remainder
        let (shift, overflow) = seconds.subtractingReportingOverflow(remainder)
        return (remainder, overflow ? nil : shift)
    }

    private static func year(ofReduced seconds: Int64) -> Int64 {
        CivilDate(daysSinceEpoch: TimeArithmetic.floorDivision(seconds, 86_400).quotient).year
    }

    private func isDaylightSaving(atReduced seconds: Int64, _ daylightSaving: DaylightSaving) -> Bool {
        let year = Self.year(ofReduced: seconds)
        return Self.state(at: seconds, changes(years: (year - 2)...(year + 2), daylightSaving))
    }

    /// The state after the last change at or before `seconds` (standard time if none).
    private static func state(at seconds: Int64, _ changes: [ChangeInstant]) -> Bool {
        changes.last { $0.at <= seconds }?.toDaylightSaving ?? false
    }

    /// Both changes of each year, sorted; at equal instants the end of daylight saving sorts
    /// first, so the state after a group is the state of its last member.
    private func changes(years: ClosedRange<Int64>, _ daylightSaving: DaylightSaving) -> [ChangeInstant] {
        var result: [ChangeInstant] = []
        for year in years {
            let start = Self.localSeconds(daylightSaving.start, year: year) - Int64(standard.utcOffset)
            let end = Self.localSeconds(daylightSaving.end, year: year) - Int64(daylightSaving.type.utcOffset)
            result.append(ChangeInstant(at: start, toDaylightSaving: true))
            result.append(ChangeInstant(at: end, toDaylightSaving: false))
        }
        return result.sorted { ($0.at, $0.toDaylightSaving ? 1 : 0) < ($1.at, $1.toDaylightSaving ? 1 : 0) }
    }

    private static func localSeconds(_ change: Change, year: Int64) -> Int64 {
        dayNumber(change.day, year: year) * 86_400 + Int64(change.time)
    }

    /// Days since 1970-01-01 of `day` in `year`.
    static func dayNumber(_ day: Day, year: Int64) -> Int64 {
        let januaryFirst = CivilDate.daysSinceEpoch(year: year, month: 1, day: 1)
        switch day {
        case .julianSkippingLeapDay(let n):
            let leapDay: Int64 = CivilDate.isLeapYear(year) && n >= 60 ? 1 : 0
            return januaryFirst + Int64(n - 1) + leapDay
        case .zeroBasedDayOfYear(let n):
            return januaryFirst + Int64(n)
        case .monthWeekDay(let month, let week, let weekday):
            let first = CivilDate.daysSinceEpoch(year: year, month: month, day: 1)
            let firstWeekday = Int((first % 7 + 7 + 4) % 7)  // 0 = Sunday; 1970-01-01 was a Thursday
            var day = 1 + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
            let length = CivilDate.daysInMonth(year: year, month: month)
            while day > length { day -= 7 }
            return first + Int64(day - 1)
        }
    }
}
