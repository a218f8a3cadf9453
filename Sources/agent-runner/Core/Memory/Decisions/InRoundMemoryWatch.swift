import Detectors
import FleetCore

/// The mid-round memory floor (detectors.md §10): while a round runs, serve samples the host
/// every 10 s and gives each tick to this watch, which decides what to do about the round.
///
/// * Each critical tick extends a streak and emits `round_mem_critical_sample{round_num,
///   consecutive, context}`, at most 2 × `critical_consecutive_samples` per streak; any other
///   tick ends the streak.
/// * `in_round_nudge`: at the first critical tick of a streak, a bare SIGTERM to the round child
///   (`round_mem_terminated{tier:"nudge"}`): a cooperative agent winds down on its own.
/// * `in_round_terminate`: at `critical_consecutive_samples` critical ticks in a row, SIGTERM
///   the round child, SIGKILL its group 15 s later (`round_mem_terminated{tier:"terminate"}`),
///   once per round. A host stuck at critical for 30 s is about to OOM-kill something at random
///   (sshd, serve itself); ending the round first keeps the host reachable.
/// * Unless serve's cgroup bounds memory and swap itself (``CgroupMemoryFacts/defersToCgroup``):
///   then the kernel confines the damage and the watch only reports
///   `mem_pressure_deferred_to_cgroup{pid, signal, message}` (once per streak).
/// * Memory growth at or above `cgroup_growth_rate_warning_mb_per_min` between two ticks →
///   `cgroup_growth_rate_warning` once per episode (the episode ends when the rate drops below).
/// * The `memory.high` brake, when armed (``MemoryHighBrake``).
///
/// Serve performs the returned actions and, for brake writes, reports their outcome.
public struct InRoundMemoryWatch: Sendable {
    public enum Action: Sendable, Equatable {
        /// A bare SIGTERM to the round child.
        case nudge
        /// SIGTERM to the round child, then SIGKILL to its process group after `graceS`.
        case terminate(graceS: Double)
        /// Write `memory.high`, then call ``brakeWriteCompleted(_:writeMS:)`` or ``brakeWriteFailed(_:errno:)``.
        case writeMemoryHigh(MemoryHighBrake.Write)
    }

    public struct Step: Sendable, Equatable {
        public var events: [MemoryEvent] = []
        public var actions: [Action] = []
    }

    /// Where the growth rate was measured.
    public enum GrowthSource: String, Sendable, Equatable {
        /// `memory.current` of serve's cgroup.
        case cgroup
        /// The summed RSS of the round's process tree (no cgroup memory controller).
        case rssSum = "rss_sum"
    }

    public let roundNum: Int
    /// The round child's pid, for the events.
    public let pid: Int32
    public let settings: MemoryDefenseSettings
    public let defersToCgroup: Bool
    /// The brake, when armed for this round.
    public private(set) var brake: MemoryHighBrake?

    /// Critical ticks in a row.
    public private(set) var streak = 0
    private var samplesInStreak = 0
    private var nudgedInStreak = false
    private var deferredInStreak = false
    /// The terminate was ordered; the watch does nothing more this round.
    public private(set) var terminated = false
    /// A `round_mem_terminated` (nudge or terminate) was emitted: the round counts as
    /// mem-terminated for the restart policy (throttled) and ``MemLoopBreaker``.
    public private(set) var memTerminated = false
    private var lastGrowth: (bytes: Int64, at: Double, source: GrowthSource)?
    private var growthEpisode = false
    /// The growth rate measured at the latest tick, MiB per minute.
    public private(set) var lastRateMBPerMin: Double?

    public init(
        roundNum: Int, pid: Int32, settings: MemoryDefenseSettings, defersToCgroup: Bool, brake: MemoryHighBrake.Status
    ) {
        self.roundNum = roundNum
        self.pid = pid
        self.settings = settings
        self.defersToCgroup = defersToCgroup
        self.brake = brake == .armed ? MemoryHighBrake(roundNum: roundNum, settings: settings) : nil
    }

    /// One tick at monotonic second `now`: the ladder's `tier`, the cgroup's memory now (for the
    /// growth rate and the brake), or else the round's summed RSS for the growth rate.
    public mutating func tick(
        _ tier: MemoryTier, now: Double, cgroup: CgroupMemoryReading? = nil, rssSumBytes: Int64? = nil
    ) -> Step {
        var step = Step()
        guard !terminated else { return step }
        if let current = cgroup?.currentBytes {
            measureGrowth(current, source: .cgroup, now: now, into: &step)
        } else if let rssSumBytes {
            measureGrowth(rssSumBytes, source: .rssSum, now: now, into: &step)
        }
        if case .critical(let pressure) = tier {
            streak += 1
            if samplesInStreak < 2 * settings.criticalConsecutiveSamples {
                samplesInStreak += 1
                step.events.append(
                    MemoryEvent(
                        RoundMemCriticalSample(
                            roundNum: roundNum, consecutive: streak,
                            context: pressure.context)))
            }
            if settings.inRoundTerminate && streak >= settings.criticalConsecutiveSamples {
                if defersToCgroup {
                    if !deferredInStreak {
                        deferredInStreak = true
                        step.events.append(
                            MemoryEvent(
                                MemPressureDeferredToCgroup(
                                    pid: pid, signal: pressure.signal.rawValue, message: pressure.message)))
                    }
                } else {
                    terminated = true
                    memTerminated = true
                    step.events.append(terminatedEvent(pressure, tier: "terminate"))
                    step.actions.append(.terminate(graceS: MemoryDefenseSettings.terminateGraceS))
                    return step
                }
            }
            if settings.inRoundNudge && streak == 1 && !nudgedInStreak {
                nudgedInStreak = true
                memTerminated = true
                step.events.append(terminatedEvent(pressure, tier: "nudge"))
                step.actions.append(.nudge)
            }
        } else {
            streak = 0
            samplesInStreak = 0
            nudgedInStreak = false
            deferredInStreak = false
        }
        if var brake {
            if let write = brake.tick(
                tier, memoryCurrent: cgroup?.currentBytes, memoryHigh: cgroup?.memoryHigh,
                rateMBPerMin: lastRateMBPerMin)
            {
                step.actions.append(.writeMemoryHigh(write))
            }
            self.brake = brake
        }
        return step
    }

    /// The round ended (or was terminated and reaped): lift the brake if it is engaged.
    public func roundEnded() -> Step {
        guard let write = brake?.roundEnded() else { return Step() }
        return Step(events: [], actions: [.writeMemoryHigh(write)])
    }

    /// Serve wrote `memory.high` as asked: the event to emit.
    public mutating func brakeWriteCompleted(_ write: MemoryHighBrake.Write, writeMS: Double) -> MemoryEvent? {
        guard var brake else { return nil }
        defer { self.brake = brake }
        return brake.completed(write, writeMS: writeMS)
    }

    /// Serve could not write `memory.high`: the event to emit.
    public mutating func brakeWriteFailed(_ write: MemoryHighBrake.Write, errno: Int32?) -> MemoryEvent? {
        guard var brake else { return nil }
        defer { self.brake = brake }
        return brake.failed(write, errno: errno)
    }

    private mutating func measureGrowth(_ bytes: Int64, source: GrowthSource, now: Double, into step: inout Step) {
        defer { lastGrowth = (bytes, now, source) }
        guard let previous = lastGrowth, previous.source == source, now > previous.at else { return }
        let intervalS = now - previous.at
        let rate = Double(bytes - previous.bytes) / 1_048_576 / (intervalS / 60)
        lastRateMBPerMin = rate
        guard rate >= settings.growthRateWarningMBPerMin else {
            growthEpisode = false
            return
        }
        guard !growthEpisode else { return }
        growthEpisode = true
        step.events.append(
            MemoryEvent(
                CgroupGrowthRateWarning(
                    roundNum: roundNum, rateMBPerMin: HostMetrics.rounded(rate, 1),
                    thresholdMBPerMin: settings.growthRateWarningMBPerMin, source: source.rawValue,
                    context: JSONObject([
                        ("previous_bytes", .int(previous.bytes)), ("current_bytes", .int(bytes)),
                        ("interval_s", .double(HostMetrics.rounded(intervalS, 1))),
                    ]))))
    }

    private func terminatedEvent(_ pressure: MemoryPressureLadder.Pressure, tier: String) -> MemoryEvent {
        MemoryEvent(
            RoundMemTerminated(
                pid: pid, severity: pressure.severity.rawValue, signal: pressure.signal.rawValue,
                message: pressure.message,
                consecutive: streak, context: pressure.context, tier: tier))
    }
}
