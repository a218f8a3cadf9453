import FleetCore

/// Where the event relay resumes after a reconnect, and which lines it has already printed.
///
/// The relay reconnects with `--since` = the newest `ts` it relayed, and `events --since` is
/// inclusive, so the host replays the event(s) of that instant. The original printed them again
/// (its stdout repeats the boundary event after every reconnect: at-least-once delivery to its
/// reader). The cursor keeps the raw lines of the newest instant and lets a repeat of one through
/// only once; another event of the same instant, not yet seen, still passes.
public struct RelayCursor: Sendable, Equatable {
    /// The `ts` text to resume from (as the host wrote it), or nil before any event.
    public private(set) var since: String?
    private var sinceInstant: UTCInstant?
    /// The lines already printed whose `ts` is `since`.
    private var boundary: Set<String> = []

    /// A cursor resuming from `since` (`--since` on the first connect), if given.
    public init(since: String? = nil) {
        self.since = since
        sinceInstant = since.flatMap(EventTimestamp.parse)
    }

    /// Whether to print `line` (one line of the host's output, without its newline): false only
    /// for a repeat of a line of the newest instant. Moves the cursor forward.
    public mutating func admit(_ line: String) -> Bool {
        guard let event = Event(line: Array(line.utf8)), let instant = event.instant else { return true }
        guard let current = sinceInstant, instant <= current else {
            since = event.ts
            sinceInstant = instant
            boundary = [line]
            return true
        }
        guard instant == current else { return true }
        return boundary.insert(line).inserted
    }
}
