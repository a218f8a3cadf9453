import FleetCore

/// What serve learns about its cgroup once at boot: `host_cgroup_memory_limit`, the doctor's
/// `cgroup` block, peek's `brake`, and whether the mid-round floor leaves a sustained critical
/// streak to the kernel (``defersToCgroup``).
public struct CgroupMemoryFacts: Sendable, Equatable {
    /// Serve's own cgroup; nil without a visible memory controller.
    public var location: CgroupLocation?
    /// The nearest cgroup (serve's own or an ancestor) with a finite hard limit.
    public var boundingDirectory: String?
    public var memoryMax: Int64?
    /// Swap the bounding cgroup may use (v2 `memory.swap.max`; v1 memsw limit minus memory limit).
    public var memorySwapMax: Int64?
    /// Serve's own `memory.high` (v2), nil when `max` or not v2.
    public var memoryHigh: Int64?
    /// v2: whether serve may write its `memory.high`; nil on v1 or without a cgroup.
    public var delegated: Bool?
    /// `SwapTotal`, bytes.
    public var swapTotalBytes: Int64
    public var agentIsContainer: Bool
    public var brake: MemoryHighBrake.Status

    public init(
        location: CgroupLocation?, boundingDirectory: String?, memoryMax: Int64?, memorySwapMax: Int64?,
        memoryHigh: Int64?,
        delegated: Bool?, swapTotalBytes: Int64, agentIsContainer: Bool, brake: MemoryHighBrake.Status
    ) {
        self.location = location
        self.boundingDirectory = boundingDirectory
        self.memoryMax = memoryMax
        self.memorySwapMax = memorySwapMax
        self.memoryHigh = memoryHigh
        self.delegated = delegated
        self.swapTotalBytes = swapTotalBytes
        self.agentIsContainer = agentIsContainer
        self.brake = brake
    }

    /// The facts from serve's cgroup (`leaf`, read at `location`), the bounding cgroup the
    /// reader found walking up (and its reading), and `/proc/meminfo`.
    public static func probe(
        location: CgroupLocation?, leaf: CgroupMemoryReading?, bounding: CgroupLocation?,
        boundingReading: CgroupMemoryReading?,
        meminfo: MeminfoReading, memoryHighWritable: Bool, brakeEnabled: Bool, agentIsContainer: Bool
    ) -> CgroupMemoryFacts {
        let limit = boundingReading?.limit?.bytes
        var swapMax: Int64?
        switch boundingReading {
        case .v2(let reading)?:
            swapMax = reading.swapMax?.bytes
        case .v1(let reading)?:
            if let memsw = reading.memswLimit?.bytes, let limit { swapMax = max(0, memsw - limit) }
        case nil:
            swapMax = nil
        }
        let isV2 = location?.version == .v2
        return CgroupMemoryFacts(
            location: location, boundingDirectory: limit == nil ? nil : bounding?.directory, memoryMax: limit,
            memorySwapMax: limit == nil ? nil : swapMax,
            memoryHigh: leaf?.memoryHigh?.bytes, delegated: isV2 ? memoryHighWritable : nil,
            swapTotalBytes: (meminfo.swapTotalKB ?? 0) * 1024, agentIsContainer: agentIsContainer,
            brake: MemoryHighBrake.Status.resolve(
                enabled: brakeEnabled, cgroup: location?.version, memoryHighWritable: memoryHighWritable))
    }

    /// Serve's own cgroup bounds both memory and swap, and the agent runs inside it: a sustained
    /// critical streak is then the kernel's to handle (`mem_pressure_deferred_to_cgroup`).
    public var defersToCgroup: Bool {
        memoryMax != nil && memorySwapMax != nil && boundingDirectory != nil && boundingDirectory == location?.directory
            && !agentIsContainer
    }

    /// The swap cap as a share of the host's swap.
    public var swapCapPct: Double? {
        guard let memorySwapMax, swapTotalBytes > 0 else { return nil }
        return HostMetrics.rounded(Double(memorySwapMax) / Double(swapTotalBytes) * 100, 1)
    }

    /// One line for the operator when the limits are set in a way that weakens them.
    public var advisory: String? {
        guard let memoryMax, let boundingDirectory else { return nil }
        if agentIsContainer {
            return
                "the agent runs in a container, outside serve's cgroup limit; the mid-round memory floor stays in charge"
        }
        if boundingDirectory != location?.directory {
            return
                "the memory limit (\(memoryMax) bytes) is on \(boundingDirectory), not on serve's own cgroup; set MemoryMax= and MemorySwapMax= on the unit to let the kernel confine a round"
        }
        if memorySwapMax == nil && swapTotalBytes > 0 {
            return
                "memory.max bounds serve but swap is unbounded: a round can push the host into swap before the cgroup OOM-kills it; set MemorySwapMax= on the unit"
        }
        return nil
    }

    /// `host_cgroup_memory_limit`, once per serve boot.
    public var event: MemoryEvent {
        MemoryEvent(
            HostCgroupMemoryLimit(
                memoryMax: memoryMax, memorySwapMax: memorySwapMax, cgroupPath: boundingDirectory,
                defer: defersToCgroup,
                swapTotalBytes: swapTotalBytes, swapCapPct: swapCapPct, memoryHigh: memoryHigh, advisory: advisory,
                cgroupDelegated: delegated))
    }

    /// doctor's `cgroup` object: `{cgroup_path, memory_max, memory_high, delegated, brake}`.
    public var doctorJSON: JSONValue {
        .object(
            JSONObject([
                ("cgroup_path", boundingDirectory.map { .string($0) } ?? .null), ("memory_max", Self.json(memoryMax)),
                ("memory_high", Self.json(memoryHigh)), ("delegated", delegated.map { .bool($0) } ?? .null),
                ("brake", .string(brake.rawValue)),
            ]))
    }

    private static func json(_ value: Int64?) -> JSONValue { value.map { .int($0) } ?? .null }
}
