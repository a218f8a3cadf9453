import FleetCore

/// The schedules serve consults between rounds: the global `[schedule]`, the phase rotation
/// with its policy, and the `[phases.<name>.schedule]` tables that replace the global one for
/// their phase (config.md §3.7, §3.8).
///
/// Serve is *phase-aware* when there is a rotation and either `phase_policy = "skip"` or some
/// phase has its own schedule; then it picks the phase (and passes `--phase`). Otherwise only the
/// global schedule gates, and the round child picks its own phase. Pure: the instant, the round
/// number and the throttled phases are inputs.
public struct PhaseSchedules: Sendable, Equatable {
    public let global: Schedule
    /// `phases.list`; empty without rotation.
    public let phases: [String]
    public let policy: AgentRunnerConfig.PhasePolicy
    /// Per-phase schedules, already carrying the inherited timezone (see ``Schedule/parse(timezone:runWindows:pauseWindows:inheriting:zones:)``).
    public let perPhase: [String: Schedule]

    public init(
        global: Schedule, phases: [String] = [], policy: AgentRunnerConfig.PhasePolicy = .wait,
        perPhase: [String: Schedule] = [:]
    ) {
        self.global = global
        self.phases = phases
        self.policy = policy
        self.perPhase = perPhase
    }

    /// Whether serve chooses the phase itself (and passes `--phase` to the round child).
    public var isPhaseAware: Bool {
        !phases.isEmpty && (policy == .skip || !perPhase.isEmpty)
    }

    /// The schedule in force for `phase`: its own table, else the global one.
    public func schedule(for phase: String?) -> Schedule {
        phase.flatMap { perPhase[$0] } ?? global
    }

    /// The phases round `round` may run, in preference order: its own phase `list[(round-1) % n]`,
    /// then (with `skip`) the rest of the rotation after it. `[nil]` without rotation.
    public func candidates(round: Int) -> [String?] {
        guard !phases.isEmpty else { return [nil] }
        let count = phases.count
        let own = ((round - 1) % count + count) % count
        let span = policy == .skip ? count : 1
        return (0..<span).map { phases[(own + $0) % count] }
    }

    /// Steps 6(b)-(d) of the serve loop for round `round` at `now`: launch (with the phase to
    /// pass and any skip to report) or pause.
    ///
    /// - Parameters:
    ///   - ignoreSchedule: `serve --ignore-schedule`: launch with no `--phase` and no gate.
    ///   - throttledPhases: phases whose agent is throttled (skip policy only), stepped over like closed ones.
    ///   - throttleWake: the earliest reset among those throttles; it ends a pause too.
    public func gate(
        round: Int, at now: UTCInstant, ignoreSchedule: Bool = false,
        throttledPhases: Set<String> = [], throttleWake: UTCInstant? = nil
    ) -> RoundGate {
        if ignoreSchedule { return .launch(phase: nil, skipped: nil) }
        guard isPhaseAware else {
            if let pause = global.pause(at: now) { return .pause(pause) }
            return .launch(phase: nil, skipped: nil)
        }
        switch select(round: round, at: now, throttledPhases: throttledPhases, throttleWake: throttleWake) {
        case .pause(let pause):
            return .pause(pause)
        case .run(let phase, let skipped, let activeWindow):
            guard let phase, !skipped.isEmpty else { return .launch(phase: phase, skipped: nil) }
            return .launch(
                phase: phase,
                skipped: PhaseSkip(
                    roundNumber: round, skipped: skipped, chosen: phase, activeWindow: activeWindow ?? ""))
        }
    }

    /// The original's `select_phase`: the first candidate that is neither throttled nor closed
    /// runs; the others before it are skipped. When none can run, the pause reports the
    /// candidate whose window opens first (its phase, zone, window and `resume_at` together).
    public func select(
        round: Int, at now: UTCInstant, throttledPhases: Set<String> = [], throttleWake: UTCInstant? = nil
    ) -> PhaseSelection {
        let order = candidates(round: round)
        var skipped: [String] = []
        var ownWindow: String?
        var earliest: (resumeAt: UTCInstant, phase: String?, window: String, schedule: Schedule)?
        var waitingOn: [Schedule] = []
        for (position, phase) in order.enumerated() {
            let schedule = self.schedule(for: phase)
            let throttled = phase.map(throttledPhases.contains) ?? false
            if !throttled {
                if schedule.isRunnable(at: now) {
                    return .run(phase: phase, skipped: skipped, activeWindow: ownWindow)
                }
                let window = schedule.activeWindow(at: now)
                if position == 0 { ownWindow = window }
                if let resumeAt = schedule.resumeAt(after: now), earliest.map({ resumeAt < $0.resumeAt }) ?? true {
                    earliest = (resumeAt, phase, window, schedule)
                }
                waitingOn.append(schedule)
            }
            if let phase { skipped.append(phase) }
        }
        guard let earliest else {
            // Nothing opens within 8 days: report this round's own window, in the zone of the
            // first phase waited on (the original wrote "local" here whatever the zone).
            return .pause(
                SchedulePause(
                    activeWindow: ownWindow ?? "", resumeAt: nil, timezone: (waitingOn.first ?? global).timezoneLabel,
                    phase: nil, waitingOn: waitingOn, throttleWake: throttleWake))
        }
        return .pause(
            SchedulePause(
                activeWindow: earliest.window, resumeAt: earliest.schedule.zone.localTime(at: earliest.resumeAt),
                timezone: earliest.schedule.timezoneLabel, phase: earliest.phase,
                waitingOn: waitingOn, throttleWake: throttleWake))
    }
}
