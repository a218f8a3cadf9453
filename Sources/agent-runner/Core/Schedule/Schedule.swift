import FleetCore

/// One `[schedule]` table: the zone its windows are read in, `run_windows` and
/// `pause_windows` (config.md §3.8).
///
/// Runnable means (no run windows, or the wall clock is inside one) and not inside any pause
/// window. The decision is on the zone's wall clock, minute by minute, as the original's
/// `should_run` was: on a spring-forward day the skipped wall times never occur, and in a
/// fall-back fold the repeated wall times occur twice, both times inside or outside a window.
/// Everything here is a pure function of an injected instant; serve asks between rounds.
public struct Schedule: Sendable, Equatable {
    /// How far ahead ``resumeAt(after:)`` looks: a weekday-only schedule can pause a whole weekend.
    public static let lookAheadSeconds: Int64 = 8 * 86_400
    /// `active_window` of a pause caused by being outside every run window.
    public static let outsideRunWindows = "outside run_windows"

    /// The zone as configured; nil means host local time (`/etc/localtime`).
    public let timezone: String?
    public let zone: IANAZone
    public let runWindows: [ScheduleWindow]
    public let pauseWindows: [ScheduleWindow]

    public init(
        timezone: String?, zone: IANAZone, runWindows: [ScheduleWindow] = [], pauseWindows: [ScheduleWindow] = []
    ) {
        self.timezone = timezone
        self.zone = zone
        self.runWindows = runWindows
        self.pauseWindows = pauseWindows
    }

    // MARK: Parsing

    /// Builds the global `[schedule]` from its raw values, validating in the original's order:
    /// the zone, then each run window, then each pause window. A nil `timezone` is the host's
    /// local zone.
    public static func parse(
        timezone: String?, runWindows: [String], pauseWindows: [String],
        zones: any ZoneSource = ZoneInfoDatabase.system
    ) throws(ScheduleError) -> Schedule {
        let zone: IANAZone
        do throws(TimeZoneError) {
            if let timezone {
                zone = try zones.zone(named: timezone)
            } else {
                zone = try zones.localZone()
            }
        } catch {
            throw ScheduleError(key: .timezone, message: error.message)
        }
        return try parse(timezone: timezone, zone: zone, runWindows: runWindows, pauseWindows: pauseWindows)
    }

    /// Builds a `[phases.<name>.schedule]`, which replaces the global schedule; without its own
    /// `timezone` it inherits the global one (and with it the global zone).
    public static func parse(
        timezone: String?, runWindows: [String], pauseWindows: [String], inheriting global: Schedule,
        zones: any ZoneSource = ZoneInfoDatabase.system
    ) throws(ScheduleError) -> Schedule {
        guard timezone == nil else {
            return try parse(timezone: timezone, runWindows: runWindows, pauseWindows: pauseWindows, zones: zones)
        }
        return try parse(
            timezone: global.timezone, zone: global.zone, runWindows: runWindows, pauseWindows: pauseWindows)
    }

    private static func parse(
        timezone: String?, zone: IANAZone, runWindows: [String], pauseWindows: [String]
    ) throws(ScheduleError) -> Schedule {
        Schedule(
            timezone: timezone, zone: zone,
            runWindows: try windows(runWindows, key: .runWindows),
            pauseWindows: try windows(pauseWindows, key: .pauseWindows))
    }

    private static func windows(_ texts: [String], key: ScheduleError.Key) throws(ScheduleError) -> [ScheduleWindow] {
        var windows: [ScheduleWindow] = []
        for (index, text) in texts.enumerated() {
            do {
                windows.append(try ScheduleWindow.parse(text))
            } catch {
                throw ScheduleError(key: key, index: index, message: error.message)
            }
        }
        return windows
    }

    // MARK: Decisions

    /// Whether any window is configured; a schedule without windows never pauses.
    public var isEnabled: Bool { !runWindows.isEmpty || !pauseWindows.isEmpty }

    /// `schedule_paused.timezone`: the configured zone, or `local`.
    public var timezoneLabel: String { timezone ?? "local" }

    /// Whether a round may start at `now`.
    public func isRunnable(at now: UTCInstant) -> Bool {
        guard isEnabled else { return true }
        let local = zone.localTime(at: now).local
        let weekday = local.date.weekday
        let minute = local.minuteOfDay
        let inRun = runWindows.isEmpty || runWindows.contains { $0.contains(weekday: weekday, minuteOfDay: minute) }
        return inRun && !pauseWindows.contains { $0.contains(weekday: weekday, minuteOfDay: minute) }
    }

    /// Nil when a round may start at `now`; otherwise the pause serve enters, with the window to
    /// report and when it opens again.
    public func pause(at now: UTCInstant) -> SchedulePause? {
        guard !isRunnable(at: now) else { return nil }
        return SchedulePause(
            activeWindow: activeWindow(at: now), resumeAt: resumeAt(after: now).map(zone.localTime(at:)),
            timezone: timezoneLabel, phase: nil, waitingOn: [self], throttleWake: nil)
    }

    /// Why the schedule is closed at `now`: the first pause window containing it (verbatim), or
    /// `outside run_windows`.
    public func activeWindow(at now: UTCInstant) -> String {
        let local = zone.localTime(at: now).local
        let window = pauseWindows.first { $0.contains(weekday: local.date.weekday, minuteOfDay: local.minuteOfDay) }
        return window?.label ?? Self.outsideRunWindows
    }

    /// The first instant after `now` at which the schedule opens (goes from closed to
    /// runnable), within ``lookAheadSeconds``; nil when it stays closed that long.
    public func resumeAt(after now: UTCInstant) -> UTCInstant? {
        var runnable = isRunnable(at: now)
        for instant in boundaries(after: now) {
            let next = isRunnable(at: instant)
            if next && !runnable { return instant }
            runnable = next
        }
        return nil
    }

    /// The first instant after `now` at which runnability flips (a closed schedule opens, an
    /// open one closes), within ``lookAheadSeconds``: how long serve can sleep without
    /// re-evaluating.
    public func nextChange(after now: UTCInstant) -> UTCInstant? {
        let runnable = isRunnable(at: now)
        return boundaries(after: now).first { isRunnable(at: $0) != runnable }
    }

    /// Every instant in `(now, now + lookAhead]` at which runnability can change, ascending:
    /// each window edge and local midnight (where the weekday changes) on each local day in
    /// reach, as instants of the zone, plus the zone's own transitions. Between two of them the
    /// wall clock moves steadily past no edge, so runnability is constant.
    ///
    /// An edge that falls in a spring-forward gap becomes the transition itself (the moment the
    /// clock jumps past it); an edge in a fall-back fold counts at both of its instants.
    private func boundaries(after now: UTCInstant) -> [UTCInstant] {
        guard isEnabled else { return [] }
        let end = now.adding(seconds: Self.lookAheadSeconds)
        var minutes: Set<Int> = [0]
        for window in runWindows + pauseWindows {
            minutes.insert(window.startMinute)
            minutes.insert(window.endMinute % (24 * 60))
        }
        let today = zone.localTime(at: now).local.date
        var instants: Set<UTCInstant> = []
        // One day back and nine ahead cover eight days of real time, whatever the zone's offset changes.
        for dayOffset in Int64(-1)...9 {
            let date = today.adding(days: dayOffset)
            for minute in minutes {
                guard let local = LocalDateTime(date: date, hour: minute / 60, minute: minute % 60) else { continue }
                switch zone.resolve(local) {
                case .nonexistent(let jump): instants.insert(jump.instant)
                case let resolution: instants.formUnion(resolution.instants)
                }
            }
        }
        for transition in zone.transitions(after: now, through: end) { instants.insert(transition.instant) }
        return instants.filter { $0 > now && $0 <= end }.sorted()
    }
}
