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
    /// The host's alerts firing before this poll, by key (empty for a one-shot `status`). A
    /// detector whose evidence outgrows the events a poll ships (an orphan streak longer than
    /// the event window) continues its count from here instead of freezing at the window's size.
    public var firing: [String: Alert]

    public init(
        policy: DetectorPolicy = DetectorPolicy(),
        memory: MemoryPressureLadder.Thresholds = MemoryPressureLadder.Thresholds(),
        diskGrowth: DiskGrowthDetector.Thresholds = DiskGrowthDetector.Thresholds(),
        firing: [String: Alert] = [:]
    ) {
        self.policy = policy
        self.memory = memory
        self.diskGrowth = diskGrowth
        self.firing = firing
    }
}
