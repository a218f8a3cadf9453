import FleetCore

/// Two phases that run different agents with run windows open at the same time: serve would
/// alternate between the two agents round after round inside the overlap, which is never what
/// an operator who gave each agent its own hours meant (config.md §3.7, commands.md §2.13 step 7).
///
/// Checked once when serve boots (a finding refuses to start, exit 78), as the original's
/// `find_phase_window_overlaps`: only phases that override `[agent]` **and** have their own
/// non-empty `run_windows`; pairs in different zones are skipped (no cross-zone arithmetic in a
/// config check); an instant counts only when neither phase's own `pause_windows` carves it out.
public struct PhaseWindowOverlap: Sendable, Equatable, CustomStringConvertible {
    public let phaseA: String
    public let phaseB: String
    public let windowA: String
    public let windowB: String

    /// `build (Mon-Fri 08:00-20:00) vs review (Mon-Fri 18:00-23:00)`.
    public var description: String { "\(phaseA) (\(windowA)) vs \(phaseB) (\(windowB))" }

    /// The overlaps among `agentOverriding` phases, in rotation order, the first colliding pair
    /// of windows for each pair of phases.
    public static func find(in schedules: PhaseSchedules, agentOverriding: Set<String>) -> [PhaseWindowOverlap] {
        let candidates = schedules.phases.compactMap { phase -> (String, Schedule)? in
            guard agentOverriding.contains(phase), let own = schedules.perPhase[phase], !own.runWindows.isEmpty else {
                return nil
            }
            return (phase, own)
        }
        var overlaps: [PhaseWindowOverlap] = []
        for (index, (phaseA, a)) in candidates.enumerated() {
            for (phaseB, b) in candidates[(index + 1)...] where a.timezone == b.timezone {
                let hit = a.runWindows.lazy.flatMap { wa in b.runWindows.lazy.map { wb in (wa, wb) } }
                    .first { collide($0.0, $0.1, pauseA: a.pauseWindows, pauseB: b.pauseWindows) }
                if let (wa, wb) = hit {
                    overlaps.append(
                        PhaseWindowOverlap(phaseA: phaseA, phaseB: phaseB, windowA: wa.label, windowB: wb.label))
                }
            }
        }
        return overlaps
    }

    /// Whether some minute of the week lies in both windows and in neither phase's pause windows,
    /// decided by the windows' own `contains` (so midnight wraps count for their start day, as
    /// when serve decides).
    static func collide(
        _ a: ScheduleWindow, _ b: ScheduleWindow, pauseA: [ScheduleWindow], pauseB: [ScheduleWindow]
    ) -> Bool {
        for day in Weekday.allCases {
            for minute in 0..<(24 * 60) {
                guard a.contains(weekday: day, minuteOfDay: minute), b.contains(weekday: day, minuteOfDay: minute)
                else {
                    continue
                }
                let paused =
                    pauseA.contains { $0.contains(weekday: day, minuteOfDay: minute) }
                    || pauseB.contains { $0.contains(weekday: day, minuteOfDay: minute) }
                if !paused { return true }
            }
        }
        return false
    }
}

extension AgentRunnerConfig {
    /// The phase-window overlaps serve refuses to boot with.
    public var phaseWindowOverlaps: [PhaseWindowOverlap] {
        let overriding = Set(phases.overrides.compactMap { $0.value.agent == nil ? nil : $0.key })
        return PhaseWindowOverlap.find(in: schedules, agentOverriding: overriding)
    }
}
