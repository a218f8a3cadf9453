/// A change in one host's alert state: what alert hooks are run for.
public enum AlertTransition: Sendable, Equatable {
    /// A new episode: the key was not firing before this poll.
    case fired(Alert)
    /// The key disappeared from a measured poll; the alert as last seen. A later recurrence of
    /// the same key is a new episode and fires again.
    case resolved(Alert)
}
