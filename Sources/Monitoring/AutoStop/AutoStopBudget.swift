import FleetCore

/// The fleet-wide brake on auto-stop: at most `limit` hosts stopped in any `windowS` seconds.
///
/// A detector that goes wrong for everyone at once (a bad threshold pushed to the inventory, a
/// peek bug in a new release) would otherwise stop every host in one poll cycle. Refused stops
/// are recorded as `monitor_auto_stop_failed` so the operator sees what was held back.
public struct AutoStopBudget: Sendable, Equatable {
    public var limit: Int
    public var windowS: Double
    /// Unix times of the stops admitted inside the window.
    public private(set) var recent: [Double] = []

    public init(limit: Int, windowS: Double = 600, recent: [Double] = []) {
        self.limit = limit
        self.windowS = windowS
        self.recent = recent
    }

    /// Whether one more stop may happen at `now`; if so it is counted.
    public mutating func admit(at now: UTCInstant) -> Bool {
        let time = Seconds.epoch(now)
        recent.removeAll { time - $0 >= windowS }
        guard recent.count < limit else { return false }
        recent.append(time)
        return true
    }

    public func json() -> JSONValue {
        .array(recent.map { .double($0) })
    }
}
