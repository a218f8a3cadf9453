import FleetCore
import Synchronization

/// Appends a ``HostMetrics`` line to `log_dir/metrics-YYYY-MM.jsonl` at each round's start and
/// end (events.md §4): the only host numbers peek, monitor and fleetctl see, so a disk filling
/// up or a host swapping shows up at the next round boundary.
///
/// Never throws: a metrics line is best effort and must not disturb the round (the event log
/// reports a failing disk already).
public final class MetricsLog: Sendable {
    public let writer: EventLogWriter
    private let sampler: Mutex<HostMetricsSampler>
    private let diskPath: String

    public init(logDir: String, agentBinary: String, clock: any WallClock, procRoot: String = "/proc") {
        writer = EventLogWriter(directory: logDir, clock: clock, prefix: EventLogFile.metricsPrefix)
        sampler = Mutex(HostMetricsSampler(agentBinary: agentBinary, procRoot: procRoot))
        diskPath = logDir
    }

    /// Samples the host and appends the line `{"ts", "event": <boundary>, …, "round_num"[, "phase"]}`.
    @discardableResult
    public func record(_ boundary: EventKind, round: Int, phase: String?) -> HostMetrics {
        let metrics = sampler.withLock { $0.sample(diskPath: diskPath) }
        _ = try? writer.append(boundary, metrics.payload(round: round, phase: phase))
        return metrics
    }
}
