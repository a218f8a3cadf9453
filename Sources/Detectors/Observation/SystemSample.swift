import FleetCore

/// One reading of the host's resources: what the disk and memory detectors look at.
///
/// Every field is optional because hosts differ: the original 0.3.14 peek has no `ts`, no PSI,
/// no `mem_free_mb` and no swap counter (its `system` block comes from the last metrics line),
/// a container may have no PSI, and a hostile value reads as absent (see ``init(json:)``).
public struct SystemSample: Sendable, Equatable {
    /// When the host took the sample (event-log timestamp form), if it said.
    public var ts: String?
    /// Used space of the partition holding the log directory, 0...100.
    public var diskUsedPct: Double?
    /// Used inodes of that partition, 0...100.
    public var inodeUsedPct: Double?
    /// `MemAvailable`, MiB.
    public var memAvailableMB: Double?
    /// `MemFree`, MiB.
    public var memFreeMB: Double?
    /// `/proc/pressure/memory` `some avg10`, 0...100; nil when PSI is unreadable.
    public var psiSomeAvg10: Double?
    /// `/proc/pressure/memory` `full avg10`, 0...100; nil when PSI is unreadable.
    public var psiFullAvg10: Double?
    /// Cumulative bytes swapped out since boot (a counter: only its growth matters).
    public var swapSoutBytes: Double?

    public init(
        ts: String? = nil, diskUsedPct: Double? = nil, inodeUsedPct: Double? = nil, memAvailableMB: Double? = nil,
        memFreeMB: Double? = nil, psiSomeAvg10: Double? = nil, psiFullAvg10: Double? = nil, swapSoutBytes: Double? = nil
    ) {
        self.ts = ts
        self.diskUsedPct = diskUsedPct
        self.inodeUsedPct = inodeUsedPct
        self.memAvailableMB = memAvailableMB
        self.memFreeMB = memFreeMB
        self.psiSomeAvg10 = psiSomeAvg10
        self.psiFullAvg10 = psiFullAvg10
        self.swapSoutBytes = swapSoutBytes
    }

    /// Reads a `system` object (peek) or a metrics line. Percentages outside 0...100, negative or
    /// absurd memory sizes (over 2^40 MiB) and non-finite numbers are dropped field by field.
    public init(json: JSONObject) {
        let memoryRange: ClosedRange<Double> = 0...1_099_511_627_776
        self.init(
            ts: HostValue.string(json["ts"]),
            diskUsedPct: HostValue.percent(json["disk_used_pct"]),
            inodeUsedPct: HostValue.percent(json["inode_used_pct"]),
            memAvailableMB: HostValue.double(json["mem_available_mb"], in: memoryRange),
            memFreeMB: HostValue.double(json["mem_free_mb"], in: memoryRange),
            psiSomeAvg10: HostValue.percent(json["psi_some_avg10"]),
            psiFullAvg10: HostValue.percent(json["psi_full_avg10"]),
            swapSoutBytes: HostValue.double(json["swap_sout"], in: 0...9.0e18)
        )
    }

    /// The parsed ``ts``.
    public var instant: UTCInstant? { ts.flatMap(EventTimestamp.parse) }

    /// Whether the sample carries any memory-pressure signal; an old-format sample (0.2.x
    /// metrics, 0.3.14 peek) has none, and the memory detectors then stay silent.
    public var hasPressureFields: Bool {
        memFreeMB != nil || swapSoutBytes != nil || psiSomeAvg10 != nil || psiFullAvg10 != nil
    }
}
