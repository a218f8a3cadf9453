import FleetCore

/// A schedule pause serve enters between rounds: what `schedule_paused` reports, and how serve
/// knows it is over.
///
/// Serve emits ``pausedPayload``, then sleeps (in slices short enough to notice SIGTERM and the
/// stop file) until ``hasEnded(at:)``, using ``wakeAt(after:)`` to sleep no longer than needed;
/// when it ends it emits ``resumedPayload(pausedForS:)`` and goes back to the loop top. A pause
/// cut short by a stop emits nothing more, so `schedule_paused` stays the newest schedule event.
public struct SchedulePause: Sendable, Equatable {
    /// The pause window in force (verbatim), or `outside run_windows`.
    public let activeWindow: String
    /// When the schedule opens again, on the schedule zone's clock; nil when not within 8 days.
    public let resumeAt: ZonedDateTime?
    /// The configured zone of the schedule that opens at `resumeAt`, or `local`.
    public let timezone: String
    /// The phase whose window opens at `resumeAt` (phase-aware serve only); nil or empty is
    /// left out of the event, as in the original.
    public let phase: String?
    /// Schedules any of which opening ends the pause.
    let waitingOn: [Schedule]
    /// A throttle reset that ends the pause too (phase-aware serve with every phase throttled or closed).
    public let throttleWake: UTCInstant?

    init(
        activeWindow: String, resumeAt: ZonedDateTime?, timezone: String, phase: String?, waitingOn: [Schedule],
        throttleWake: UTCInstant?
    ) {
        self.activeWindow = activeWindow
        self.resumeAt = resumeAt
        self.timezone = timezone
        self.phase = phase
        self.waitingOn = waitingOn
        self.throttleWake = throttleWake
    }

    /// `resume_at` as the original writes it: ISO 8601 with the zone's offset
    /// (`2026-03-30T09:00:00+02:00`), or `""` when nothing opens within 8 days.
    public var resumeAtText: String { resumeAt?.iso8601 ?? "" }

    /// Whether serve may go back to the loop top: a schedule it waits on is runnable, or the
    /// throttle reset has passed.
    public func hasEnded(at now: UTCInstant) -> Bool {
        if let throttleWake, now >= throttleWake { return true }
        return waitingOn.contains { $0.isRunnable(at: now) }
    }

    /// The earliest instant after `now` at which ``hasEnded(at:)`` can become true; nil when
    /// nothing is due within 8 days (serve then re-checks at its own pace).
    public func wakeAt(after now: UTCInstant) -> UTCInstant? {
        var candidates = waitingOn.compactMap { $0.nextChange(after: now) }
        if let throttleWake, throttleWake > now { candidates.append(throttleWake) }
        return candidates.min()
    }

    /// The `schedule_paused` payload: `active_window, resume_at, timezone[, phase]`.
    public var pausedPayload: JSONObject {
        var payload = JSONObject([
            ("active_window", .string(activeWindow)), ("resume_at", .string(resumeAtText)),
            ("timezone", .string(timezone)),
        ])
        if let phase, !phase.isEmpty { payload["phase"] = .string(phase) }
        return payload
    }

    /// The `schedule_resumed` payload, with the whole seconds serve spent paused (monotonic clock).
    public static func resumedPayload(pausedForS: Int64) -> JSONObject {
        JSONObject([("paused_for_s", .int(pausedForS))])
    }
}
