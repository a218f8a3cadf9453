/// A time zone of the IANA database (`Europe/Berlin`) or the host's `/etc/localtime`: its
/// listed transitions plus the POSIX rule for everything after them.
///
/// All conversions are pure and total: any `UTCInstant` has a local time, and any wall-clock
/// reading resolves to one instant, two (a fold) or none (a gap), stated explicitly.
public struct IANAZone: Sendable, Hashable, CustomStringConvertible {
    /// The name as configured (`Europe/Berlin`), or `local` for `/etc/localtime`.
    public let name: String
    /// Transition instants, strictly ascending, in seconds since the epoch.
    private let transitions: [Int64]
    /// Index into `types` in force from each transition on.
    private let transitionTypes: [Int]
    /// Never empty; `types[0]` is in force before the first transition.
    private let types: [LocalTimeType]
    /// The rule for instants after the last transition (nil in version 1 files).
    public let footer: PosixTimeZoneRule?

    /// Decodes the bytes of a TZif file.
    public init(name: String, tzif bytes: [UInt8]) throws(TZifFormatError) {
        let content = try TZifParser.parse(bytes)
        self.name = name
        self.transitions = content.transitions
        self.transitionTypes = content.transitionTypes
        self.types = content.types
        self.footer = content.footer
    }

    /// A zone defined only by a POSIX rule, the same every year (`CET-1CEST,M3.5.0,M10.5.0/3`):
    /// what a TZif file's footer says for the years after its table. Tests use it to build a
    /// zone without reading the database.
    public init(name: String, rule: PosixTimeZoneRule) {
        self.name = name
        self.transitions = []
        self.transitionTypes = []
        self.types = [rule.standard]
        self.footer = rule
    }

    /// Coordinated Universal Time, built in (no file needed).
    public static let utc = IANAZone(
        name: "UTC", fixed: LocalTimeType(utcOffset: 0, isDaylightSaving: false, abbreviation: "UTC"))

    /// A zone that keeps one kind of local time forever.
    init(name: String, fixed type: LocalTimeType) {
        self.name = name
        self.transitions = []
        self.transitionTypes = []
        self.types = [type]
        self.footer = nil
    }

    public var description: String { name }

    // MARK: Instant to wall clock

    /// The kind of local time in force at `instant`.
    public func localTimeType(at instant: UTCInstant) -> LocalTimeType {
        localTimeType(atSeconds: instant.seconds)
    }

    /// What the zone's clocks show at `instant`.
    public func localTime(at instant: UTCInstant) -> ZonedDateTime {
        let type = localTimeType(atSeconds: instant.seconds)
        let local = LocalDateTime(localSeconds: TimeArithmetic.saturatingAdd(instant.seconds, Int64(type.utcOffset)))
        return ZonedDateTime(instant: instant, local: local, type: type)
    }

    private func localTimeType(atSeconds seconds: Int64) -> LocalTimeType {
        guard let first = transitions.first, let last = transitions.last else {
            return footer?.localTimeType(at: seconds) ?? types[0]
        }
        if seconds > last, let footer { return footer.localTimeType(at: seconds) }
        if seconds < first { return types[0] }
        return types[transitionTypes[lastTransitionIndex(atOrBefore: seconds)]]
    }

    /// The index of the last transition at or before `seconds` (which is at or after the first).
    private func lastTransitionIndex(atOrBefore seconds: Int64) -> Int {
        var low = 0
        var high = transitions.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if transitions[middle] <= seconds { low = middle } else { high = middle - 1 }
        }
        return low
    }

    // MARK: Transitions

    /// The first change of local time strictly after `instant`, from the table and then from
    /// the footer rule; nil when the zone never changes again.
    public func nextTransition(after instant: UTCInstant) -> ZoneTransition? {
        let seconds = instant.seconds
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] > seconds { high = middle } else { low = middle + 1 }
        }
        var index = low
        while index < transitions.count {
            let before = index == 0 ? types[0] : types[transitionTypes[index - 1]]
            let after = types[transitionTypes[index]]
            if before != after {
                return ZoneTransition(instant: UTCInstant(seconds: transitions[index]), before: before, after: after)
            }
            index += 1
        }
        guard let footer else { return nil }
        return footer.nextTransition(after: max(seconds, transitions.last ?? seconds))
    }

    /// Every change of local time in `(start, end]`, oldest first (at most 10 000, far more than
    /// any real zone has in a century).
    public func transitions(after start: UTCInstant, through end: UTCInstant) -> [ZoneTransition] {
        var result: [ZoneTransition] = []
        var cursor = start
        while result.count < 10_000, let next = nextTransition(after: cursor), next.instant <= end {
            result.append(next)
            cursor = next.instant
        }
        return result
    }

    // MARK: Wall clock to instant

    /// The instants at which the zone's clocks show `local`.
    ///
    /// Real offsets lie within -25 h...+26 h, so only transitions in that span around the
    /// reading can matter: each offset in force there is tried, and kept when the zone really
    /// uses it at the resulting instant.
    public func resolve(_ local: LocalDateTime) -> LocalTimeResolution {
        let wall = local.localSeconds
        let spanStart = UTCInstant(seconds: TimeArithmetic.saturatingAdd(wall, -93_600))
        let spanEnd = UTCInstant(seconds: TimeArithmetic.saturatingAdd(wall, 90_000))
        var offsets: Set<Int32> = [localTimeType(at: spanStart).utcOffset]
        let changes = transitions(after: spanStart, through: spanEnd)
        for change in changes { offsets.insert(change.after.utcOffset) }
        var instants: [Int64] = []
        for offset in offsets {
            let candidate = TimeArithmetic.saturatingAdd(wall, -Int64(offset))
            if localTimeType(atSeconds: candidate).utcOffset == offset && !instants.contains(candidate) {
                instants.append(candidate)
            }
        }
        instants.sort()
        if let earlier = instants.first, let later = instants.last {
            return earlier == later
                ? .unique(UTCInstant(seconds: earlier))
                : .ambiguous(earlier: UTCInstant(seconds: earlier), later: UTCInstant(seconds: later))
        }
        // No offset fits: the clocks jumped over this reading at a forward transition.
        let gap = changes.first { change in
            let jumpStart = TimeArithmetic.saturatingAdd(change.instant.seconds, Int64(change.before.utcOffset))
            let jumpEnd = TimeArithmetic.saturatingAdd(change.instant.seconds, Int64(change.after.utcOffset))
            return jumpStart <= wall && wall < jumpEnd
        }
        if let gap = gap ?? changes.first(where: { $0.wallClockJump > 0 }) {
            return .nonexistent(gap)
        }
        return .unique(
            UTCInstant(seconds: TimeArithmetic.saturatingAdd(wall, -Int64(localTimeType(atSeconds: wall).utcOffset))))
    }
}
