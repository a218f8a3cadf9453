import Detectors
import FleetCore

/// How short of memory the host is right now, and which signal says so: the verdict of the
/// ladder (detectors.md §10) as the serve-side defenses act on it.
///
/// The ladder itself is ``Detectors/MemoryPressureLadder``, the one the monitor's
/// `mem_pressure` detector runs over metrics lines, so serve deferring a round and the monitor
/// alerting about the host never disagree about the same numbers.
public enum MemoryTier: Sendable, Equatable {
    /// A usable signal saw no pressure.
    case ok
    case warning(MemoryPressureLadder.Pressure)
    case critical(MemoryPressureLadder.Pressure)
    /// No PSI, no swap-out delta and no free/available memory: pressure would go unnoticed.
    case unavailable

    public init(_ verdict: MemoryPressureLadder.Verdict) {
        switch verdict {
        case .healthy: self = .ok
        case .unavailable: self = .unavailable
        case .pressure(let pressure): self = pressure.severity == .critical ? .critical(pressure) : .warning(pressure)
        }
    }

    /// Runs the ladder on `current` against `previous` (the swap-out delta needs both).
    public static func classify(
        _ current: HostMemoryReading, previous: HostMemoryReading?, thresholds: MemoryPressureLadder.Thresholds
    ) -> MemoryTier {
        MemoryTier(
            MemoryPressureLadder.evaluate(
                latest: current.systemSample, previous: previous?.systemSample, thresholds: thresholds))
    }

    /// The finding behind a warning or critical tier.
    public var pressure: MemoryPressureLadder.Pressure? {
        switch self {
        case .warning(let pressure), .critical(let pressure): pressure
        case .ok, .unavailable: nil
        }
    }

    public var isCritical: Bool {
        if case .critical = self { return true }
        return false
    }

    /// Warning or critical.
    public var isPressure: Bool { pressure != nil }

    /// `ok`, `warning`, `critical` or `unavailable`, for logs and tests.
    public var name: String {
        switch self {
        case .ok: "ok"
        case .warning: "warning"
        case .critical: "critical"
        case .unavailable: "unavailable"
        }
    }
}

/// Classifies successive readings of one sampling loop: keeps the previous reading for the
/// swap-out delta, and drops it when it is older than ``maxDeltaAgeS`` so that swap-out
/// accumulated over a whole round or a long pause is not read as a burst.
public struct MemoryPressureTracker: Sendable {
    public var thresholds: MemoryPressureLadder.Thresholds
    /// Twice the gate's 30 s poll: in-round ticks (10 s) and gate polls always have a previous
    /// reading; the gate's first poll uses the round's last tick when it is recent enough.
    public var maxDeltaAgeS: Double = 60
    public private(set) var previous: (reading: HostMemoryReading, at: Double)?

    public init(thresholds: MemoryPressureLadder.Thresholds) {
        self.thresholds = thresholds
    }

    /// The tier of `reading`, taken at monotonic second `now`; remembers it for the next call.
    public mutating func classify(_ reading: HostMemoryReading, at now: Double) -> MemoryTier {
        let recent = previous.flatMap { now - $0.at <= maxDeltaAgeS && now >= $0.at ? $0.reading : nil }
        previous = (reading, now)
        return MemoryTier.classify(reading, previous: recent, thresholds: thresholds)
    }
}
