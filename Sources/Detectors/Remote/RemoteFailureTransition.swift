/// What one poll outcome means for a host's reachability.
public enum RemoteFailureTransition: Sendable, Equatable {
    /// Nothing to report: a success while healthy, or a success that has not yet held for the
    /// settle period after failures.
    case none
    /// A failure within the tolerance; retry after the blip's `nextSleepS`.
    case blip(RemoteBlip)
    /// The tolerance is exhausted; emitted once per episode.
    case giveUp(RemoteGiveUp)
    /// A further failure after the give-up (no new alert).
    case stillDown(attempts: Int, elapsedS: Double)
    /// The host has stayed reachable for the settle period after an episode that did not give up.
    case reset(attempts: Int)
    /// The host has stayed reachable for the settle period after a give-up.
    case recovered(attempts: Int, downForS: Double)
}
