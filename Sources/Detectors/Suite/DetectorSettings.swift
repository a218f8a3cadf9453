import FleetCore

/// The thresholds a detector run applies to a host.
public struct DetectorSettings: Sendable, Equatable {
    /// The inventory's per-host policy: window, rate threshold, short exit, hung factor, orphan
    /// streak, disk percentages, stale-threshold override and the disabled list.
    public var policy: DetectorPolicy
    /// The memory-pressure ladder's thresholds (§10 defaults).
    public var memory: MemoryPressureLadder.Thresholds
    /// disk_growth's window and rates (`[monitor.host_health.disk]` defaults).
    public var diskGrowth: DiskGrowthDetector.Thresholds

    public init(
        policy: DetectorPolicy = DetectorPolicy(),
        memory: MemoryPressureLadder.Thresholds = MemoryPressureLadder.Thresholds(),
        diskGrowth: DiskGrowthDetector.Thresholds = DiskGrowthDetector.Thresholds()
    ) {
        self.policy = policy
        self.memory = memory
        self.diskGrowth = diskGrowth
    }
}
