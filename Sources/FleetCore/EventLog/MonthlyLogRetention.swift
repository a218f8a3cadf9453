import Glibc

/// How many monthly files of a log (`events-YYYY-MM.jsonl`, `metrics-YYYY-MM.jsonl`,
/// `fleet-events-YYYY-MM.jsonl`) stay, as logrotate's `monthly` + `rotate N` would keep them:
/// the current month and the `keepMonths - 1` before it, counted by calendar month, not by files
/// present (a quiet month still ages the older ones). 0 keeps every month, for an operator who
/// archives them (docs/runbook.md).
///
/// The event log is the history the detectors, peek and `fleetctl events` read; 12 months
/// covers every window they look at many times over, and a year of a busy host's events is tens
/// of megabytes, where an SD card notices years of them.
public struct MonthlyLogRetention: Sendable, Equatable {
    /// The default for every monthly log: a year.
    public static let defaultMonths = 12

    public var keepMonths: Int

    public init(keepMonths: Int) {
        self.keepMonths = keepMonths
    }

    /// The files of `files` older than the kept months at `now`, oldest first. A file dated in
    /// the future (a clock that was wrong) is kept.
    public func expired(_ files: [EventLogFile], now: UTCInstant) -> [EventLogFile] {
        guard keepMonths > 0 else { return [] }
        let today = now.components
        let current = Int(today.year) * 12 + (today.month - 1)
        let oldestKept = current - (keepMonths - 1)
        return files.filter { $0.year * 12 + ($0.month - 1) < oldestKept }.sorted()
    }

    /// Deletes the expired files of the log `prefix` in `directory`; returns the paths deleted.
    @discardableResult
    public func prune(directory: String, prefix: String, now: UTCInstant) -> [String] {
        guard keepMonths > 0, let files = try? EventLogFile.list(in: directory, prefix: prefix) else { return [] }
        return expired(files, now: now).map(\.path).filter { unlink($0) == 0 }
    }
}
