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

    /// The `monitor_remote_blip` payload (events.md §3.4, 0.3.14 shape):
    /// `{host, returncode, error, attempt, elapsed_s, cap_s, resume_since, next_sleep_s}`.
    /// `next_sleep_s` is an int when it is a back-off step and a float when cut by the tolerance,
    /// as the original writes it.
    public func eventPayload(host: String, resumeSince: String?) -> JSONObject {
        [
            "host": .string(host),
            "returncode": .int(Int64(failure.returncode)),
            "error": .string(failure.stderrTail),
            "attempt": .int(Int64(attempt)),
            "elapsed_s": .double(elapsedS),
            "cap_s": .int(Int64(capS)),
            "resume_since": resumeSince.map(JSONValue.string) ?? .null,
            "next_sleep_s": sleepIsBackoffStep ? .int(Int64(nextSleepS)) : .double(nextSleepS),
        ]
    }
}
