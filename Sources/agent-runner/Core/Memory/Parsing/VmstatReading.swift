/// The `/proc/vmstat` counters the memory defenses need: pages swapped out since boot (the
/// ladder's swap-out delta) and the kernel's OOM kills since boot (a SIGKILLed round with this
/// counter moved was most likely OOM-killed, even without a cgroup to say so).
public struct VmstatReading: Sendable, Equatable {
    /// `pswpout`: pages written to swap since boot.
    public var swapOutPages: Int64?
    /// `oom_kill` (kernel 4.13+): OOM kills since boot, host-wide.
    public var oomKills: Int64?

    public init(swapOutPages: Int64? = nil, oomKills: Int64? = nil) {
        self.swapOutPages = swapOutPages
        self.oomKills = oomKills
    }

    /// Parses the file's bytes (`pswpout 0` lines); stops once both counters are found.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> VmstatReading {
        var reading = VmstatReading()
        ProcBytes.forEachLine(bytes) { line in
            if let value = ProcBytes.field(bytes, line: line, "pswpout", separator: ProcBytes.space) {
                reading.swapOutPages = value
            } else if let value = ProcBytes.field(bytes, line: line, "oom_kill", separator: ProcBytes.space) {
                reading.oomKills = value
            }
            return reading.swapOutPages == nil || reading.oomKills == nil
        }
        return reading
    }
}
