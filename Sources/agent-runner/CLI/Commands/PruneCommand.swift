import AgentRunnerCore
import FleetCore

/// `agent-runner prune [--yes] [--json]`: shows, then with --yes deletes, the round logs past
/// `round_log_retention` and `round_log_max_mb` and the event and metrics months past
/// `event_log_months`, without the bulk guard: the command `round_logs_prune_deferred` names.
enum PruneCommand {
    static let spec = VerbSpec(
        "prune",
        summary: "delete round logs and log months past the configured retention (clears a deferred backlog)",
        discussion: """
            Serve prunes before each round, and its bulk guard refuses a prune that would delete
            more rounds than it keeps (a sudden backlog: a lowered round_log_retention, a log dir
            grown under an older build), reporting round_logs_prune_deferred. This command applies
            the same budgets without the guard: the oldest rounds' logs go (rounds/R<N>-*.log and
            round-<N>.log together) until at most round_log_retention rounds remain and they fit
            in round_log_max_mb; the newest round always stays. events-*.jsonl and metrics-*.jsonl
            older than event_log_months go too. Without --yes nothing is deleted: it prints what
            would go. Safe while serve runs.
            """,
        options: [OptionSpec("yes", help: "Delete the files (without it, only show what would go).")],
        exitCodes: [
            (ExitCode.success, "the plan was shown, or every file was deleted"),
            (ExitCode.failure, "some files could not be deleted (they are listed)"),
            (ExitCode.usage, "the command line is wrong"),
            (ExitCode.config, "the configuration is missing, unreadable or invalid"),
        ])

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        guard let config = ServeCommand.loadConfig(parsed, context: context, runner: runner) else {
            return ExitCode.config
        }
        let report = LogPrune(config: config).run(now: SystemClock().now(), apply: parsed.has("yes"))
        if parsed.has("json") {
            context.stdout.write(JSONLines.line(report.json))
        } else {
            context.stdout.write(text(report, logDir: config.runtime.logDir))
        }
        for path in report.failed {
            context.stderr.write("agent-runner: cannot delete \(path); check its permissions\n")
        }
        return report.failed.isEmpty ? ExitCode.success : ExitCode.failure
    }

    static func text(_ report: LogPrune.Report, logDir: String) -> String {
        let plan = report.plan
        let verb = report.dryRun ? "would delete" : "deleted"
        var text =
            "\(logDir): \(verb) \(plan.delete.count) rounds' logs "
            + "(\(RoundLogsPruneDeferred.megabytes(Int(plan.bytesToFree))) MB) and \(report.expiredMonths.count) "
            + "month files; \(plan.keep.count) rounds stay "
            + "(\(RoundLogsPruneDeferred.megabytes(Int(plan.bytesKept))) MB)\n"
        if report.dryRun && (!plan.delete.isEmpty || !report.expiredMonths.isEmpty) {
            text += "run again with --yes to delete them\n"
        }
        return text
    }
}
