import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What one round did to serve's cgroup: snapshot before, peaks from the in-round ticks,
/// snapshot after. Gives `round_cgroup_memory` (when a finite cgroup bound exists) and
/// `round_oom_killed` (events.md §3.3), after `round_substrate_after`.
///
/// OOM kill: the cgroup's `oom_kill` counter moved during the round; or, without one (no
/// cgroup, v1 before 4.13), the agent died of SIGKILL that serve did not send while the kernel's
/// host-wide `oom_kill` (`/proc/vmstat`) moved. Without this, an OOM-killed round looks like a
/// plain crash, and the operator hunts a bug in the agent instead of adding memory.
public struct RoundMemoryLedger: Sendable, Equatable {
    public let roundNum: Int
    public let before: CgroupMemoryReading?
    public let kernelOOMKillsBefore: Int64?
    /// The highest `memory.current` seen during the round.
    public private(set) var peakBytes: Int64?
    /// The highest swap use seen during the round.
    public private(set) var swapPeakBytes: Int64?

    /// `before` is serve's cgroup just before the spawn, `kernelOOMKillsBefore` `/proc/vmstat`'s `oom_kill`.
    public init(roundNum: Int, before: CgroupMemoryReading?, kernelOOMKillsBefore: Int64?) {
        self.roundNum = roundNum
        self.before = before
        self.kernelOOMKillsBefore = kernelOOMKillsBefore
        if let before { observe(before) }
    }

    /// An in-round reading of the same cgroup.
    public mutating func observe(_ reading: CgroupMemoryReading) {
        if let current = reading.currentBytes { peakBytes = Swift.max(peakBytes ?? current, current) }
        if let swap = reading.swapCurrentBytes { swapPeakBytes = Swift.max(swapPeakBytes ?? swap, swap) }
    }

    public struct RoundEnd: Sendable, Equatable {
        /// Serve's cgroup after the round.
        public var after: CgroupMemoryReading?
        public var kernelOOMKillsAfter: Int64?
        /// How the agent ended.
        public var agentExit: ExitStatus?
        /// Serve (hard wall, grace kill, memory floor) killed it: a SIGKILL then is not the kernel's.
        public var killedBySupervisor: Bool
        /// The round's transcript (`rounds/R<N>-*.log`) and its size.
        public var logPath: String
        public var logBytes: Int64
        /// The directory of the nearest cgroup with a finite `memory.max`; nil when none bounds serve.
        public var boundingCgroupPath: String?

        public init(
            after: CgroupMemoryReading?, kernelOOMKillsAfter: Int64?, agentExit: ExitStatus?, killedBySupervisor: Bool,
            logPath: String, logBytes: Int64, boundingCgroupPath: String?
        ) {
            self.after = after
            self.kernelOOMKillsAfter = kernelOOMKillsAfter
            self.agentExit = agentExit
            self.killedBySupervisor = killedBySupervisor
            self.logPath = logPath
            self.logBytes = logBytes
            self.boundingCgroupPath = boundingCgroupPath
        }
    }

    /// The events for the round's end, in emission order.
    public func finish(_ end: RoundEnd) -> [MemoryEvent] {
        var ledger = self
        if let after = end.after { ledger.observe(after) }
        let beforeCounters = before?.counters
        let afterCounters = end.after?.counters
        func delta(_ field: KeyPath<CgroupMemoryCounters, Int64>) -> Int64 {
            guard let beforeCounters, let afterCounters else { return 0 }
            return Swift.max(0, afterCounters[keyPath: field] - beforeCounters[keyPath: field])
        }
        var events: [MemoryEvent] = []
        if let bounding = end.boundingCgroupPath, end.after != nil {
            var peak = ledger.peakBytes
            // The kernel's high-water mark counts since the cgroup's creation: it is this
            // round's only if the round raised it.
            if let kernelAfter = end.after?.peakBytes, let kernelBefore = before?.peakBytes, kernelAfter > kernelBefore
            {
                peak = Swift.max(peak ?? kernelAfter, kernelAfter)
            }
            events.append(
                MemoryEvent(
                    RoundCgroupMemory(
                        roundNum: roundNum, memoryCurrentPeak: peak, memorySwapCurrentPeak: ledger.swapPeakBytes,
                        eventsHighDelta: delta(\.high), eventsMaxDelta: delta(\.max), eventsOomDelta: delta(\.oom),
                        eventsOomKillDelta: delta(\.oomKill), boundingCgroupPath: bounding)))
        }
        var oomKills = delta(\.oomKill)
        if oomKills == 0, end.agentExit == .signalled(SIGKILL), !end.killedBySupervisor,
            let kernelBefore = kernelOOMKillsBefore, let kernelAfter = end.kernelOOMKillsAfter,
            kernelAfter > kernelBefore
        {
            oomKills = kernelAfter - kernelBefore
        }
        if oomKills > 0 {
            events.append(
                MemoryEvent(
                    RoundOomKilled(
                        roundNum: roundNum, logPath: end.logPath, logBytes: end.logBytes, oomKills: oomKills,
                        partialLog: end.logBytes > 0)))
        }
        return events
    }
}
