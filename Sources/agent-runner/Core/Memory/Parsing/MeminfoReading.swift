/// The `/proc/meminfo` fields the memory ladder and the cgroup probe need, in kB as the kernel
/// writes them. A field the kernel does not report is nil (`MemAvailable` is missing before
/// 3.14; some container views of `/proc` drop the swap lines).
public struct MeminfoReading: Sendable, Equatable {
    public var memTotalKB: Int64?
    public var memFreeKB: Int64?
    public var memAvailableKB: Int64?
    public var swapTotalKB: Int64?
    public var swapFreeKB: Int64?

    public init(
        memTotalKB: Int64? = nil, memFreeKB: Int64? = nil, memAvailableKB: Int64? = nil, swapTotalKB: Int64? = nil,
        swapFreeKB: Int64? = nil
    ) {
        self.memTotalKB = memTotalKB
        self.memFreeKB = memFreeKB
        self.memAvailableKB = memAvailableKB
        self.swapTotalKB = swapTotalKB
        self.swapFreeKB = swapFreeKB
    }

    /// Parses the file's bytes (`MemFree:   23197124 kB` lines); stops once every field is found.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> MeminfoReading {
        var reading = MeminfoReading()
        var found = 0
        ProcBytes.forEachLine(bytes) { line in
            if let value = ProcBytes.field(bytes, line: line, "MemTotal", separator: ProcBytes.colon) {
                reading.memTotalKB = value
            } else if let value = ProcBytes.field(bytes, line: line, "MemFree", separator: ProcBytes.colon) {
                reading.memFreeKB = value
            } else if let value = ProcBytes.field(bytes, line: line, "MemAvailable", separator: ProcBytes.colon) {
                reading.memAvailableKB = value
            } else if let value = ProcBytes.field(bytes, line: line, "SwapTotal", separator: ProcBytes.colon) {
                reading.swapTotalKB = value
            } else if let value = ProcBytes.field(bytes, line: line, "SwapFree", separator: ProcBytes.colon) {
                reading.swapFreeKB = value
            } else {
                return true
            }
            found += 1
            return found < 5
        }
        return reading
    }
}
