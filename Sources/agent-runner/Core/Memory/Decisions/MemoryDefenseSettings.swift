import Detectors
import FleetCore

/// `[monitor.host_health.memory]`, `.pressure` and `.brake` as the serve-side memory defenses
/// use them (config.md §3.6), plus the fixed timings of detectors.md §10.
public struct MemoryDefenseSettings: Sendable, Equatable {
    /// Seconds between two in-round samples.
    public static let inRoundTickS: Double = 10
    /// Seconds between two polls of a deferred round's gate.
    public static let gatePollS: Double = 30
    /// Seconds between the SIGTERM of a mid-round terminate and the SIGKILL to the group.
    public static let terminateGraceS: Double = 15

    /// The ladder's thresholds (the monitor's `mem_pressure` uses the same ones).
    public var ladder = MemoryPressureLadder.Thresholds()
    /// `pressure.critical_consecutive_samples`: critical ticks in a row before the terminate.
    public var criticalConsecutiveSamples = 3
    /// `pressure.in_round_terminate`.
    public var inRoundTerminate = true
    /// `pressure.in_round_nudge`: a bare SIGTERM at the first critical tick.
    public var inRoundNudge = false
    /// `pressure.cgroup_growth_rate_warning_mb_per_min`.
    public var growthRateWarningMBPerMin: Double = 512
    /// `brake.memory_high`.
    public var brakeEnabled = false
    /// `brake.memory_high_step_pct`: 0 caps at current usage, N caps N % below it.
    public var brakeStepPct = 0
    /// `brake.warning_consecutive_samples`: ticks to engage, and to release.
    public var brakeConsecutiveSamples = 3

    public init() {}

    public init(_ health: AgentRunnerConfig.HostHealth) {
        ladder.psiFullAvg10Critical = health.pressureFullAvg10Critical
        ladder.psiSomeAvg10Warning = health.pressureSomeAvg10Warning
        ladder.swapOutNoiseFloorMB = Double(health.memorySwapOutNoiseFloorMB)
        ladder.freeLowMB = Double(health.memoryFreeLowMB)
        ladder.availMinMB = Double(health.memoryAvailMinMB)
        criticalConsecutiveSamples = health.pressureCriticalConsecutiveSamples
        inRoundTerminate = health.pressureInRoundTerminate
        inRoundNudge = health.pressureInRoundNudge
        growthRateWarningMBPerMin = health.pressureCgroupGrowthRateWarningMBPerMin
        brakeEnabled = health.brakeMemoryHigh
        brakeStepPct = health.brakeMemoryHighStepPct
        brakeConsecutiveSamples = health.brakeWarningConsecutiveSamples
    }
}
