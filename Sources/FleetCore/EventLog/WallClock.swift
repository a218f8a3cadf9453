/// A source of the current UTC time, injected so tests can pin event timestamps (for example
/// to cross a month boundary) and the supervisor can share one clock across components.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> UTCInstant
}
