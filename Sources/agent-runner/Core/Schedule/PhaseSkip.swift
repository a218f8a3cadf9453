import FleetCore

/// `phase_policy = "skip"` stepped over phases to reach a runnable one: the
/// `schedule_phase_skipped` event serve emits before launching `chosen`.
public struct PhaseSkip: Sendable, Equatable {
    public let roundNumber: Int
    /// Phases stepped over, in rotation order (closed windows and throttled agents).
    public let skipped: [String]
    public let chosen: String
    /// Why the skip began: the closed window of this round's own phase, or `""` when that
    /// phase was skipped for a throttle.
    public let activeWindow: String

    public init(roundNumber: Int, skipped: [String], chosen: String, activeWindow: String) {
        self.roundNumber = roundNumber
        self.skipped = skipped
        self.chosen = chosen
        self.activeWindow = activeWindow
    }

    /// The `schedule_phase_skipped` payload: `round_num, skipped, chosen, active_window`.
    public var payload: JSONObject {
        JSONObject([
            ("round_num", .int(Int64(roundNumber))), ("skipped", .array(skipped.map { .string($0) })),
            ("chosen", .string(chosen)), ("active_window", .string(activeWindow)),
        ])
    }
}
