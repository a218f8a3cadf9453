import FleetCore

// The events of the `[schedule]` gate between rounds (config.md §3.8).

/// `schedule_paused`: serve waits for a run window. `resume_at` (ISO 8601 with the zone's
/// offset, `""` when nothing opens within 8 days) also tells fleetctl's supervisor_stale how
/// long the silence is expected.
public struct SchedulePaused: TypedEvent {
    public static let kind = EventKind.schedulePaused
    public static let fields: [EventField<Self>] = [
        .string("active_window", \.activeWindow), .string("resume_at", \.resumeAt), .string("timezone", \.timezone),
        .optionalString("phase", \.phase),
    ]

    public var activeWindow: String
    public var resumeAt: String
    /// The configured zone, or `local`.
    public var timezone: String
    /// Phase-aware serve only: the phase whose window opens at `resume_at`.
    public var phase: String?

    public init(activeWindow: String, resumeAt: String, timezone: String, phase: String?) {
        self.activeWindow = activeWindow
        self.resumeAt = resumeAt
        self.timezone = timezone
        self.phase = phase.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The event for `pause`.
    public init(_ pause: SchedulePause) {
        self.init(
            activeWindow: pause.activeWindow, resumeAt: pause.resumeAtText, timezone: pause.timezone,
            phase: pause.phase)
    }
}

/// `schedule_resumed`: the window opened; not written when a stop ended the pause.
public struct ScheduleResumed: TypedEvent {
    public static let kind = EventKind.scheduleResumed
    public static let fields: [EventField<Self>] = [.int("paused_for_s", \.pausedForS)]

    /// Whole seconds on the monotonic clock.
    public var pausedForS: Int64

    public init(pausedForS: Int64) {
        self.pausedForS = pausedForS
    }
}

/// `schedule_phase_skipped`: `phase_policy = "skip"` stepped over closed or throttled phases to
/// reach one that can run now.
public struct SchedulePhaseSkipped: TypedEvent {
    public static let kind = EventKind.schedulePhaseSkipped
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .strings("skipped", \.skipped), .string("chosen", \.chosen),
        .string("active_window", \.activeWindow),
    ]

    public var roundNum: Int
    public var skipped: [String]
    public var chosen: String?
    public var activeWindow: String

    public init(_ skip: PhaseSkip) {
        roundNum = skip.roundNumber
        skipped = skip.skipped
        chosen = skip.chosen
        activeWindow = skip.activeWindow
    }
}
