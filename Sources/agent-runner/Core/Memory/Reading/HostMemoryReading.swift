import Detectors

/// One reading of the host's memory: `/proc/meminfo`, `/proc/vmstat` and `/proc/pressure/memory`.
public struct HostMemoryReading: Sendable, Equatable {
    public var meminfo: MeminfoReading
    public var vmstat: VmstatReading
    /// nil when PSI is unreadable (no `/proc/pressure`, or `psi=0`).
    public var pressure: PressureReading?
    /// Bytes per page, to turn `pswpout` pages into bytes.
    public var pageSize: Int64

    public init(
        meminfo: MeminfoReading = MeminfoReading(), vmstat: VmstatReading = VmstatReading(),
        pressure: PressureReading? = nil, pageSize: Int64 = 4096
    ) {
        self.meminfo = meminfo
        self.vmstat = vmstat
        self.pressure = pressure
        self.pageSize = pageSize
    }

    /// Cumulative bytes swapped out since boot.
    public var swapOutBytes: Int64? { vmstat.swapOutPages.map { $0 &* pageSize } }

    /// The reading as the ladder (``Detectors/MemoryPressureLadder``) takes it: whole MiB, as the
    /// metrics lines the monitor reads write them, so serve and the monitor judge alike.
    public var systemSample: SystemSample {
        SystemSample(
            memAvailableMB: meminfo.memAvailableKB.map { Double($0 / 1024) },
            memFreeMB: meminfo.memFreeKB.map { Double($0 / 1024) },
            psiSomeAvg10: pressure?.some?.avg10,
            psiFullAvg10: pressure?.full?.avg10,
            swapSoutBytes: swapOutBytes.map(Double.init))
    }
}
