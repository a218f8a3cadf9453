import FleetCore

extension RoundRunner {
    /// Retention before a round creates its transcript (the original's order, detectors.md
    /// §11.4): the round logs past `round_log_retention` or `round_log_max_mb` go, oldest first,
    /// so the log dir holds at most the retention once this round's transcript exists; and, once
    /// a month, the event and metrics months past `event_log_months`.
    ///
    /// A pass the bulk guard defers (a sudden backlog) emits `round_logs_prune_deferred` once,
    /// with the command that clears it, and again only after a pass succeeded in between: a
    /// serve that runs for months must not write the same event every round.
    public func pruneLogs() {
        if let deferral = logs.prune(config.runtime.roundLogRetentionBeforeRound).deferral {
            if !retentionDeferred {
                let event = RoundLogsPruneDeferred(
                    directory: logDir, existing: deferral.existing, keep: deferral.keep,
                    wouldDelete: deferral.wouldDelete, wouldFreeBytes: Int(deferral.bytes),
                    configPath: config.configPath)
                events.emit(event)
                stderr.write("agent-runner: round-log retention deferred: \(event.hint)\n")
            }
            retentionDeferred = true
        } else {
            retentionDeferred = false
        }
        let now = effects.wallClock.now()
        let month = Int(now.components.year) * 12 + now.components.month
        guard prunedMonth != month else { return }
        prunedMonth = month
        let months = MonthlyLogRetention(keepMonths: config.runtime.eventLogMonths)
        for prefix in [EventLogFile.eventsPrefix, EventLogFile.metricsPrefix] {
            months.prune(directory: logDir, prefix: prefix, now: now)
        }
    }
}
