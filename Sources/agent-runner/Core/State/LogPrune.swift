import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `agent-runner prune`: the log dir brought back within its budgets on the operator's word,
/// without the bulk guard. It is the command the guard's hint names: a backlog the guard kept
/// (a lowered retention, a log dir that grew under a build pruning only at boot) goes at once.
///
/// Safe beside a running serve: the newest round is never deleted (it may be the one running),
/// and serve's own prune before its next round finds the work done.
public struct LogPrune: Sendable {
    public var logDir: String
    public var rounds: RoundLogRetention
    public var months: MonthlyLogRetention

    /// The budgets of `config`, as a prune beside a running serve applies them.
    public init(config: AgentRunnerConfig) {
        logDir = config.runtime.logDir
        rounds = RoundLogRetention(
            keepRounds: config.runtime.roundLogRetention, maxBytes: Int64(config.runtime.roundLogMaxMB) << 20,
            makingRoom: false)
        months = MonthlyLogRetention(keepMonths: config.runtime.eventLogMonths)
    }

    /// What a prune found, and did unless it was a dry run.
    public struct Report: Sendable, Equatable {
        public var dryRun: Bool
        public var plan: RoundLogRetention.Plan
        /// Monthly event and metrics files past `event_log_months`.
        public var expiredMonths: [String]
        /// Files that could not be deleted (a permission, a file gone meanwhile).
        public var failed: [String] = []

        public var json: JSONValue {
            [
                "dry_run": .bool(dryRun),
                "rounds_kept": .int(Int64(plan.keep.count)),
                "bytes_kept": .int(plan.bytesKept),
                "rounds_deleted": .int(Int64(plan.delete.count)),
                "bytes_freed": .int(plan.bytesToFree),
                "files": .array(plan.delete.flatMap(\.paths).map { .string($0) }),
                "months": .array(expiredMonths.map { .string($0) }),
                "failed": .array(failed.map { .string($0) }),
            ]
        }
    }

    /// The plan at `now`; with `apply`, carried out.
    public func run(now: UTCInstant, apply: Bool) -> Report {
        let plan = rounds.plan(RoundLogs(logDir: logDir).rounds(), bulkGuard: false)
        var expired: [String] = []
        for prefix in [EventLogFile.eventsPrefix, EventLogFile.metricsPrefix] {
            let files = (try? EventLogFile.list(in: logDir, prefix: prefix)) ?? []
            expired += months.expired(files, now: now).map(\.path)
        }
        var report = Report(dryRun: !apply, plan: plan, expiredMonths: expired)
        guard apply else { return report }
        for path in plan.delete.flatMap(\.paths) + expired where unlink(path) != 0 && errno != ENOENT {
            report.failed.append(path)
        }
        return report
    }
}
