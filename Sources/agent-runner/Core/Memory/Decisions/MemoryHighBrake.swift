import Detectors
import FleetCore

/// The optional cgroup v2 `memory.high` soft brake (`[monitor.host_health.brake]`, off by
/// default): while the host stays under memory pressure, cap the cgroup's `memory.high` at its
/// current usage (or `memory_high_step_pct` % below it), so the kernel throttles and reclaims
/// from the agent instead of the whole host sliding into swap; lift the cap when the pressure is
/// gone and at the end of every round, so a cap never outlives the round that earned it.
///
/// Engages after `warning_consecutive_samples` in-round ticks at warning or critical, releases
/// after as many `ok` ticks; an `unavailable` tick breaks both streaks. The brake only plans the
/// write: serve performs it (``MemoryHighWriter``) and reports back with ``completed(_:writeMS:)``
/// or ``failed(_:errno:)``, which give the event.
public struct MemoryHighBrake: Sendable {
    /// What peek's `brake` and doctor's `cgroup.brake` show.
    public enum Status: String, Sendable, Equatable {
        /// `brake.memory_high = false`.
        case off
        /// Enabled, and serve may write its cgroup's `memory.high`.
        case armed
        /// Enabled, but the v2 cgroup is not delegated to serve (`memory.high` not writable).
        case inertUndelegated = "inert(undelegated)"
        /// Enabled, but there is no v2 memory controller (a v1 or hybrid host, or none).
        case inertNoCgroupV2 = "inert(no cgroup v2)"

        public static func resolve(enabled: Bool, cgroup: CgroupLocation.Version?, memoryHighWritable: Bool) -> Status {
            guard enabled else { return .off }
            guard cgroup == .v2 else { return .inertNoCgroupV2 }
            return memoryHighWritable ? .armed : .inertUndelegated
        }
    }

    /// A write serve should make to `memory.high`.
    public struct Write: Sendable, Equatable {
        public enum Purpose: String, Sendable, Equatable {
            case engage
            /// Restore after `brake.warning_consecutive_samples` ok ticks.
            case recovered
            /// Restore at the end of the round.
            case roundEnd = "round_end"
        }

        public var value: CgroupLimit
        public var purpose: Purpose
    }

    /// The cap in force.
    public struct Engagement: Sendable, Equatable {
        /// `memory.high` before the brake, restored on release.
        public var previous: CgroupLimit
        public var written: Int64
    }

    public let roundNum: Int
    public let stepPct: Int
    public let consecutiveSamples: Int
    public private(set) var engagement: Engagement?
    /// The engage planned and not yet reported: what its event will say.
    private var pendingEngage:
        (previous: CgroupLimit, written: Int64, memoryCurrent: Int64, pressure: MemoryTier, rate: Double?)?
    public private(set) var pressureStreak = 0
    public private(set) var okStreak = 0

    public init(roundNum: Int, stepPct: Int, consecutiveSamples: Int) {
        self.roundNum = roundNum
        self.stepPct = min(max(stepPct, 0), 50)
        self.consecutiveSamples = max(1, consecutiveSamples)
    }

    public init(roundNum: Int, settings: MemoryDefenseSettings) {
        self.init(
            roundNum: roundNum, stepPct: settings.brakeStepPct, consecutiveSamples: settings.brakeConsecutiveSamples)
    }

    /// The cap for a cgroup using `memoryCurrent` bytes.
    public func cap(for memoryCurrent: Int64) -> Int64 {
        memoryCurrent / 100 * Int64(100 - stepPct) + memoryCurrent % 100 * Int64(100 - stepPct) / 100
    }

    /// One in-round tick. `memoryCurrent` and `memoryHigh` are the cgroup's now; `rateMBPerMin`
    /// the growth rate the watch measured (for the event). Returns the write to make, if any.
    public mutating func tick(
        _ tier: MemoryTier, memoryCurrent: Int64?, memoryHigh: CgroupLimit?, rateMBPerMin: Double?
    ) -> Write? {
        switch tier {
        case .warning, .critical:
            pressureStreak += 1
            okStreak = 0
        case .ok:
            okStreak += 1
            pressureStreak = 0
        case .unavailable:
            okStreak = 0
            pressureStreak = 0
        }
        guard pendingEngage == nil else { return nil }
        if let engagement {
            guard okStreak >= consecutiveSamples else { return nil }
            return Write(value: engagement.previous, purpose: .recovered)
        }
        guard pressureStreak >= consecutiveSamples, let memoryCurrent, let memoryHigh else { return nil }
        let written = cap(for: memoryCurrent)
        // Never loosen a tighter limit someone else set.
        if let existing = memoryHigh.bytes, existing <= written { return nil }
        pendingEngage = (memoryHigh, written, memoryCurrent, tier, rateMBPerMin)
        return Write(value: .bytes(written), purpose: .engage)
    }

    /// The round ended: the restore to make when the brake is engaged.
    public func roundEnded() -> Write? {
        engagement.map { Write(value: $0.previous, purpose: .roundEnd) }
    }

    /// Serve made `write`, taking `writeMS`: the event to emit.
    public mutating func completed(_ write: Write, writeMS: Double) -> MemoryEvent {
        switch write.purpose {
        case .engage:
            guard let pending = pendingEngage else { return failureEvent(errno: nil) }
            pendingEngage = nil
            engagement = Engagement(previous: pending.previous, written: pending.written)
            pressureStreak = 0
            let pressure = pending.pressure.pressure
            return MemoryEvent(
                MemoryHighEngaged(
                    roundNum: roundNum, previous: pending.previous.jsonBytes, written: pending.written,
                    memoryCurrent: pending.memoryCurrent, writeMS: HostMetrics.rounded(writeMS, 1),
                    signal: pressure?.signal.rawValue, context: pressure?.context ?? JSONObject(),
                    rateMBPerMin: pending.rate.map { HostMetrics.rounded($0, 1) }))
        case .recovered, .roundEnd:
            engagement = nil
            okStreak = 0
            return MemoryEvent(MemoryHighReleased(roundNum: roundNum, reason: write.purpose.rawValue))
        }
    }

    /// Serve could not make `write` (`errno` nil when the cause is unknown). A failed engage is
    /// forgotten (the streak starts over); a failed restore keeps the brake engaged so the next
    /// ok tick or the round's end tries again.
    public mutating func failed(_ write: Write, errno: Int32?) -> MemoryEvent {
        if write.purpose == .engage {
            pendingEngage = nil
            pressureStreak = 0
        } else {
            okStreak = 0
        }
        return failureEvent(errno: errno)
    }

    private func failureEvent(errno: Int32?) -> MemoryEvent {
        MemoryEvent(MemoryHighWriteFailed(roundNum: roundNum, errno: errno.map { Int($0) }))
    }
}
