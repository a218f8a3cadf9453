import FleetCore

/// A failure inside the tolerance: retry after ``nextSleepS``.
public struct RemoteBlip: Sendable, Equatable {
    /// 1-based attempt number within the episode.
    public var attempt: Int
    /// Seconds since the episode's first failure.
    public var elapsedS: Double
    /// How long to wait before retrying: the back-off step, capped by the time left in the tolerance.
    public var nextSleepS: Double
    /// Whether ``nextSleepS`` is a whole back-off step (true) or the cut-off remainder of the tolerance.
    public var sleepIsBackoffStep: Bool
    /// The tolerance, seconds.
    public var capS: Int
    /// The failure this blip reports.
    public var failure: RemoteFailure
}
