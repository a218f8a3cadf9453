import FleetCore

/// When the configured windows next open or close, for peek: `schedule` (the spec's object) is
/// null unless serve is paused, but an operator also wants to know, while rounds run, when the
/// next pause comes, and while paused, when rounds resume. Pure: the config and the wall clock.
public enum ScheduleOutlook {
    /// peek's `schedule_windows`: null without any window; else the global schedule's outlook
    /// plus, under `phases`, each phase with its own schedule.
    public static func json(_ schedules: PhaseSchedules, at now: UTCInstant) -> JSONValue {
        let phases = schedules.phases.filter { schedules.perPhase[$0] != nil }
        guard schedules.global.isEnabled || !phases.isEmpty else { return .null }
        var object = outlook(schedules.global, at: now)
        if !phases.isEmpty {
            object["phases"] = .object(
                JSONObject(phases.map { ($0, .object(outlook(schedules.perPhase[$0]!, at: now))) }))
        }
        return .object(object)
    }

    /// `{timezone, open, active_window, next_change_at, resume_at}`: `active_window` is why it is
    /// closed (`""` when open); times are ISO 8601 with the zone's offset, `""` when nothing
    /// changes within 8 days.
    static func outlook(_ schedule: Schedule, at now: UTCInstant) -> JSONObject {
        let open = schedule.isRunnable(at: now)
        func text(_ instant: UTCInstant?) -> JSONValue {
            .string(instant.map { schedule.zone.localTime(at: $0).iso8601 } ?? "")
        }
        return JSONObject([
            ("timezone", .string(schedule.timezoneLabel)), ("open", .bool(open)),
            ("active_window", .string(open ? "" : schedule.activeWindow(at: now))),
            ("next_change_at", text(schedule.nextChange(after: now))),
            ("resume_at", open ? .string("") : text(schedule.resumeAt(after: now))),
        ])
    }
}
