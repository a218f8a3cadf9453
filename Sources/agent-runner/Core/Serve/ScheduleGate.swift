import FleetCore

/// Steps 6(b)-(d) of the serve loop (commands.md §2.13): the `[schedule]` and per-phase windows
/// between rounds. Launches the round (with the phase serve chose, when it is phase-aware), or
/// pauses: `schedule_paused`, a sleep that wakes for SIGTERM, SIGINT and the stop file, and
/// `schedule_resumed` once a window it waits on opens. A round in flight is never gated.
///
/// The decisions are ``PhaseSchedules``' (pure, on the wall clock); this step only emits their
/// events and waits on the monotonic clock, re-reading the wall clock at least every
/// ``maxSleep`` so a clock step (NTP on a Pi without a real-time clock) is noticed.
struct ScheduleGate {
    let schedules: PhaseSchedules
    /// `serve --ignore-schedule`.
    let ignoreSchedule: Bool
    let wallClock: any WallClock
    let clock: any MonotonicClock
    let triggers: StopTriggers
    let events: EventSink

    /// The longest single sleep of a pause.
    static let maxSleep: Int64 = 30

    enum Outcome: Equatable {
        /// Run the round; `phase` nil lets the round follow the rotation.
        case launch(phase: String?)
        /// The pause ended: start again from the loop top (sentinel, throttle, stop file).
        case again
        /// A stop ended the pause (no `schedule_resumed`).
        case woken(StopTriggers.Wake)
        /// Every phase is throttled or closed under `transient_error_action = "stop"`.
        case throttleStop
    }

    /// Whether serve picks each round's phase itself.
    var choosesPhase: Bool { !ignoreSchedule && schedules.isPhaseAware }

    /// - Parameters:
    ///   - throttledPhases: phases whose agent is throttled (`phase_policy = "skip"`), stepped over.
    ///   - throttleWake: when the first of those throttles ends; it ends a pause too.
    ///   - stopOnThrottle: `transient_error_action = "stop"`: a pause caused partly by a throttle
    ///     stops serve instead.
    func pass(
        round: Int, throttledPhases: Set<String> = [], throttleWake: UTCInstant? = nil,
        stopOnThrottle: Bool = false
    ) -> Outcome {
        let gate = schedules.gate(
            round: round, at: wallClock.now(), ignoreSchedule: ignoreSchedule,
            throttledPhases: throttledPhases, throttleWake: throttleWake)
        switch gate {
        case .launch(let phase, let skipped):
            if let skipped { events.emit(SchedulePhaseSkipped(skipped)) }
            return .launch(phase: phase)
        case .pause(let pause):
            if stopOnThrottle && !throttledPhases.isEmpty {
                events.emit(AgentSelfTerminated(reason: "transient_error"))
                return .throttleStop
            }
            return wait(pause)
        }
    }

    private func wait(_ pause: SchedulePause) -> Outcome {
        events.emit(SchedulePaused(pause))
        let started = clock.now
        while true {
            let now = wallClock.now()
            if pause.hasEnded(at: now) {
                events.emit(ScheduleResumed(pausedForS: (clock.now - started).components.seconds))
                return .again
            }
            let limit = now.adding(seconds: Self.maxSleep)
            let wake = min(pause.wakeAt(after: now) ?? limit, limit)
            if let woken = triggers.sleep(for: now.duration(until: wake)) { return .woken(woken) }
        }
    }
}

extension UTCInstant {
    /// The time from this instant to `later` (zero when `later` is not later).
    func duration(until later: UTCInstant) -> Duration {
        let seconds = later.seconds - self.seconds
        let nanoseconds = Int64(later.nanoseconds) - Int64(self.nanoseconds)
        return max(.zero, .seconds(seconds) + .nanoseconds(nanoseconds))
    }
}
