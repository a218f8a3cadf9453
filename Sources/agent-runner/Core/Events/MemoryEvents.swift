import FleetCore

// The events of the memory defenses (detectors.md §10): the boot-time cgroup probe, the
// pre-round gate, the mid-round floor and brake, the round's cgroup ledger and the mem_loop
// breaker. The decisions in Core/Memory build these values; serve writes them unchanged.

/// `host_cgroup_memory_limit`: once per serve boot, what bounds serve's memory (so an operator
/// sees whether the kernel or serve's own floor will end a runaway round).
public struct HostCgroupMemoryLimit: TypedEvent {
    public static let kind = EventKind.hostCgroupMemoryLimit
    public static let fields: [EventField<Self>] = [
        .int("memory_max", \.memoryMax), .int("memory_swap_max", \.memorySwapMax),
        .string("cgroup_path", \.cgroupPath), .bool("defer", \.defer), .int("swap_total_bytes", \.swapTotalBytes),
        .double("swap_cap_pct", \.swapCapPct), .int("memory_high", \.memoryHigh), .string("advisory", \.advisory),
        .bool("cgroup_delegated", \.cgroupDelegated),
    ]

    public var memoryMax: Int64?
    public var memorySwapMax: Int64?
    public var cgroupPath: String?
    public var `defer`: Bool
    public var swapTotalBytes: Int64
    public var swapCapPct: Double?
    public var memoryHigh: Int64?
    public var advisory: String?
    public var cgroupDelegated: Bool?
}

/// `round_deferred`: the pre-round gate holds the next round back while memory pressure is
/// critical (an agent started into that is the one the kernel OOM-kills).
public struct RoundDeferred: TypedEvent {
    public static let kind = EventKind.roundDeferred
    public static let fields: [EventField<Self>] = [
        .string("severity", \.severity), .string("signal", \.signal), .string("message", \.message),
    ]

    public var severity: String
    public var signal: String
    public var message: String
}

/// `round_resumed`: the pressure that deferred a round is no longer critical.
public struct RoundResumed: TypedEvent {
    public static let kind = EventKind.roundResumed
    public static let fields: [EventField<Self>] = [.int("deferred_for_s", \.deferredForS)]

    /// Whole seconds on the monotonic clock.
    public var deferredForS: Int64
}

/// `round_mem_critical_sample`: one critical 10 s sample during a round (at most
/// 2 × `critical_consecutive_samples` per streak).
public struct RoundMemCriticalSample: TypedEvent {
    public static let kind = EventKind.roundMemCriticalSample
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .int("consecutive", \.consecutive), .object("context", \.context),
    ]

    public var roundNum: Int
    public var consecutive: Int
    public var context: JSONObject
}

/// `round_mem_terminated`: the mid-round floor acted on the round, with a bare SIGTERM (`nudge`)
/// or SIGTERM, 15 s, SIGKILL to its group (`terminate`). The round counts as throttled, not as a
/// crash, and feeds the mem_loop breaker.
public struct RoundMemTerminated: TypedEvent {
    public static let kind = EventKind.roundMemTerminated
    public static let fields: [EventField<Self>] = [
        .int("pid", \.pid), .string("severity", \.severity), .string("signal", \.signal),
        .string("message", \.message), .int("consecutive", \.consecutive), .object("context", \.context),
        .string("tier", \.tier),
    ]

    public var pid: Int32
    public var severity: String
    public var signal: String
    public var message: String
    public var consecutive: Int
    public var context: JSONObject
    /// `nudge` or `terminate`.
    public var tier: String
}

/// `mem_pressure_deferred_to_cgroup`: a critical streak long enough to terminate the round, but
/// serve's own cgroup bounds memory and swap, so the kernel confines the round instead.
public struct MemPressureDeferredToCgroup: TypedEvent {
    public static let kind = EventKind.memPressureDeferredToCgroup
    public static let fields: [EventField<Self>] = [
        .int("pid", \.pid), .string("signal", \.signal), .string("message", \.message),
    ]

    public var pid: Int32
    public var signal: String
    public var message: String
}

/// `cgroup_growth_rate_warning`: memory grew at or above the configured rate between two
/// samples, once per episode.
public struct CgroupGrowthRateWarning: TypedEvent {
    public static let kind = EventKind.cgroupGrowthRateWarning
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .double("rate_mb_per_min", \.rateMBPerMin),
        .double("threshold_mb_per_min", \.thresholdMBPerMin), .string("source", \.source),
        .object("context", \.context),
    ]

    public var roundNum: Int
    /// Rounded to one decimal.
    public var rateMBPerMin: Double
    public var thresholdMBPerMin: Double
    /// `cgroup` or `rss_sum`.
    public var source: String
    public var context: JSONObject
}

/// `memory_high_engaged`: the brake capped serve's cgroup v2 `memory.high` so the kernel
/// reclaims from the agent instead of the whole host swapping.
public struct MemoryHighEngaged: TypedEvent {
    public static let kind = EventKind.memoryHighEngaged
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .int("previous", \.previous), .int("written", \.written),
        .int("memory_current", \.memoryCurrent), .double("write_ms", \.writeMS), .string("signal", \.signal),
        .object("context", \.context), .double("rate_mb_per_min", \.rateMBPerMin),
    ]

    public var roundNum: Int
    /// `memory.high` before the brake; nil when it was `max`.
    public var previous: Int64?
    public var written: Int64
    public var memoryCurrent: Int64
    public var writeMS: Double
    public var signal: String?
    public var context: JSONObject
    public var rateMBPerMin: Double?
}

/// `memory_high_released`: the brake restored `memory.high` (pressure gone, or the round ended).
public struct MemoryHighReleased: TypedEvent {
    public static let kind = EventKind.memoryHighReleased
    public static let fields: [EventField<Self>] = [.int("round_num", \.roundNum), .string("reason", \.reason)]

    public var roundNum: Int
    /// `recovered` or `round_end`.
    public var reason: String
}

/// `memory_high_write_failed`: the kernel refused the brake's write.
public struct MemoryHighWriteFailed: TypedEvent {
    public static let kind = EventKind.memoryHighWriteFailed
    public static let fields: [EventField<Self>] = [.int("round_num", \.roundNum), .int("errno", \.errno)]

    public var roundNum: Int
    public var errno: Int?
}

/// `round_cgroup_memory`: what the round did to the cgroup that bounds serve (peaks and the
/// kernel's boundary counters), after every round on a bounded host.
public struct RoundCgroupMemory: TypedEvent {
    public static let kind = EventKind.roundCgroupMemory
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .int("memory_current_peak", \.memoryCurrentPeak),
        .int("memory_swap_current_peak", \.memorySwapCurrentPeak), .int("events_high_delta", \.eventsHighDelta),
        .int("events_max_delta", \.eventsMaxDelta), .int("events_oom_delta", \.eventsOomDelta),
        .int("events_oom_kill_delta", \.eventsOomKillDelta), .string("bounding_cgroup_path", \.boundingCgroupPath),
    ]

    public var roundNum: Int
    public var memoryCurrentPeak: Int64?
    public var memorySwapCurrentPeak: Int64?
    public var eventsHighDelta: Int64
    public var eventsMaxDelta: Int64
    public var eventsOomDelta: Int64
    public var eventsOomKillDelta: Int64
    public var boundingCgroupPath: String
}

/// `round_oom_killed`: the kernel OOM-killed the round, so it is not mistaken for a bug in the
/// agent; `partial_log` says the transcript has what the agent wrote before.
public struct RoundOomKilled: TypedEvent {
    public static let kind = EventKind.roundOomKilled
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .string("log_path", \.logPath), .int("log_bytes", \.logBytes),
        .int("events_oom_kill_delta", \.oomKills), .int("oom_kill_delta", \.oomKills),
        .bool("partial_log", \.partialLog),
    ]

    public var roundNum: Int
    public var logPath: String
    public var logBytes: Int64
    /// Written twice: `events_oom_kill_delta` and its alias `oom_kill_delta`.
    public var oomKills: Int64
    public var partialLog: Bool
}

/// `mem_loop`: 5 memory-terminated rounds in a row; serve exits 71 and systemd restarts it.
public struct MemLoop: TypedEvent {
    public static let kind = EventKind.memLoop
    public static let fields: [EventField<Self>] = [
        .int("consecutive", \.consecutive), .int("exit_code", \.exitCode), .string("reason", \.reason),
    ]

    public var consecutive: Int
    public var exitCode: Int32
    /// The redacted tail of the last round's transcript, as for crash_loop.
    public var reason: String
}

/// `mem_loop_persistent`: the 3rd mem_loop within 2 h; serve exits 70 and stays stopped.
public struct MemLoopPersistent: TypedEvent {
    public static let kind = EventKind.memLoopPersistent
    public static let fields: [EventField<Self>] = [
        .int("consecutive", \.consecutive), .int("exit_code", \.exitCode), .string("reason", \.reason),
    ]

    public var consecutive: Int
    public var exitCode: Int32
    public var reason: String
}
