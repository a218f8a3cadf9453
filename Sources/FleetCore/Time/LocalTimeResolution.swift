/// What a wall-clock reading means in a zone. Daylight-saving changes make the mapping from
/// wall time to instants partial and non-unique, so callers must say what they do in each case
/// instead of getting a silently shifted instant.
public enum LocalTimeResolution: Sendable, Hashable {
    /// The reading happens exactly once.
    case unique(UTCInstant)
    /// The reading happens twice (clocks fell back): first with the earlier offset, then again.
    case ambiguous(earlier: UTCInstant, later: UTCInstant)
    /// The reading never happens (clocks sprang forward over it): at `transition.instant` the
    /// wall clock jumps from before this reading to after it.
    case nonexistent(ZoneTransition)

    /// The instants showing the reading, in order: one, two, or none.
    public var instants: [UTCInstant] {
        switch self {
        case .unique(let instant): return [instant]
        case .ambiguous(let earlier, let later): return [earlier, later]
        case .nonexistent: return []
        }
    }
}
