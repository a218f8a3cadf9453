import AgentRunnerCore
import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `agent-runner events --kind K[,K2] [--window N | --tail] [--since TS]`: event lines of some
/// kinds, as compact JSON Lines — the query fleetctl's relay and scripts build on.
enum EventsCommand {
    /// The original's (argparse's) usage code, kept for this verb because relays and scripts
    /// written against it test for 2.
    static let usageCode: Int32 = 2
    static let pollInterval: Duration = .milliseconds(200)

    static let spec = VerbSpec(
        "events", summary: "print event lines of some kinds (last N, since a time, or live) as JSON Lines",
        discussion: """
            Events from <log_dir>/events-YYYY-MM.jsonl, printed as JSON Lines: one compact object
            per line, fields in the order written (the log's own spacing is not kept). Without
            --tail or --since, the last --window (default 10) matching lines across all month
            files. --since replays every matching line with ts >= TS (at-least-once: resume with
            the last ts you saw), then with --tail keeps following. --tail follows appends and the
            switch to a new month's file; SIGINT or SIGTERM ends it with exit 0. It also ends, within
            a second and whether or not a new event arrives, when its reader goes away (the pipe is
            closed, the ssh session dropped: exit 141) or on SIGHUP (exit 129), so a dropped relay
            link leaves no tail behind on the host. A kind this agent-runner does not write is
            accepted (a log may hold another version's kinds) with a warning on stderr that names
            the kind it is closest to.
            Usage errors exit 2 here (not 64), as in the original.
            """,
        options: [
            OptionSpec("kind", value: "K[,K2...]", help: "Comma-separated event kinds to print (required)."),
            OptionSpec(
                "window", value: "N", help: "Print the last N matching lines (default 10). Excludes --tail and --since."
            ),
            OptionSpec(
                "tail",
                help: "Keep printing matching lines as they are written, until SIGINT/SIGTERM or the reader goes."),
            OptionSpec(
                "since", value: "ISO-TS",
                help: "Replay matching lines with ts >= this time (e.g. 2026-07-27T10:00:00.000Z)."),
        ],
        exitCodes: [
            (ExitCode.success, "the lines were printed, or --tail was stopped by SIGINT/SIGTERM"),
            (ExitCode.hangUp, "--tail: SIGHUP (the terminal or ssh session hung up)"),
            (ExitCode.readerGone, "--tail: stdout's reader went away (closed pipe, dropped ssh session)"),
            (ExitCode.failure, "an events file could not be read"),
            (usageCode, "the command line is wrong: no kind, --window with --tail or --since, bad --window or --since"),
            (ExitCode.config, "the configuration is missing, unreadable or invalid"),
        ],
        usageExitCode: usageCode)

    struct Request {
        var kinds: Set<String>
        var window: Int?
        var tail: Bool
        var since: UTCInstant?
    }

    static func request(_ parsed: ParsedArguments) throws(UsageError) -> Request {
        guard let kindText = parsed.value("kind") else {
            throw UsageError("--kind is required (e.g. --kind round_end,agent_exit)", verb: "events")
        }
        let kinds = Set(kindText.split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty })
        guard !kinds.isEmpty else {
            throw UsageError("--kind requires at least one non-empty event kind", verb: "events")
        }
        let window = try parsed.integer("window", minimum: 1)
        let tail = parsed.has("tail")
        if window != nil && tail { throw UsageError("--window and --tail are mutually exclusive", verb: "events") }
        var since: UTCInstant?
        if let text = parsed.value("since") {
            if window != nil { throw UsageError("--window and --since are mutually exclusive", verb: "events") }
            guard let instant = parseSince(text) else {
                throw UsageError(
                    "--since expects an ISO-8601 timestamp (e.g. 2026-07-27T10:00:00.000Z), got '\(text)'",
                    verb: "events")
            }
            since = instant
        }
        return Request(kinds: kinds, window: window, tail: tail, since: since)
    }

    /// ISO-8601 as Python's `fromisoformat` takes it: a date alone, `T` or a space between date
    /// and time, `Z` or an offset; a time without a zone is UTC.
    static func parseSince(_ text: String) -> UTCInstant? {
        var normalized = text
        if normalized.count == 10 { normalized += "T00:00:00" }
        if normalized.count > 10, normalized[normalized.index(normalized.startIndex, offsetBy: 10)] == " " {
            var characters = Array(normalized)
            characters[10] = "T"
            normalized = String(characters)
        }
        return EventTimestamp.parse(normalized)
    }

    static func run(_ parsed: ParsedArguments, context: CommandContext, runner: ProgramRunner) -> Int32 {
        let request: Request
        do {
            request = try self.request(parsed)
        } catch {
            return runner.usageFailure(error, context: context)
        }
        guard let config = ServeCommand.loadConfig(parsed, context: context, runner: runner) else {
            return ExitCode.config
        }
        for kind in EventKindFilter.unknown(request.kinds.sorted()) {
            context.stderr.write(
                "agent-runner: warning: \(EventKindFilter.message(for: kind)); it matches only lines another "
                    + "version wrote\n")
        }
        let logDir = config.runtime.logDir
        var watch: StreamWatch?
        if request.tail {
            StopRequest.installSignalHandlers(hangUp: true)
            watch = StreamWatch(output: context.stdout)
            // stdout closed from the start: nothing can ever be read, and a file opened later
            // could take descriptor 1.
            if let end = watch?.check() { return ended(end, context: context) }
        }
        do {
            // Positioned before any replay, so nothing written meanwhile is missed (at worst repeated).
            var follower = request.tail ? try EventLogFollower(directory: logDir, from: .end) : nil
            if let since = request.since {
                for event in try EventLogReader(directory: logDir).events(
                    since: since, kinds: request.kinds, inclusive: true)
                {
                    context.stdout.write(JSONLines.line(event.object))
                    if let end = watch?.check() { return ended(end, context: context) }
                }
            } else if !request.tail {
                for line in try lastLines(logDir: logDir, kinds: request.kinds, count: request.window ?? 10) {
                    context.stdout.write(JSONWriter.escapingRawControls(line) + "\n")
                }
            }
            guard let watch, follower != nil else { return ExitCode.success }
            while true {
                for event in try follower!.poll() where request.kinds.contains(event.kind) {
                    context.stdout.write(JSONLines.line(event.object))
                }
                if let end = watch.pause(pollInterval) { return ended(end, context: context) }
            }
        } catch {
            context.stderr.write("agent-runner: events file unreadable: \(error)\n")
            return ExitCode.failure
        }
    }

    /// The exit code of a stream that ended, with its notice on stderr.
    static func ended(_ end: StreamEnd, context: CommandContext) -> Int32 {
        if let notice = end.notice { context.stderr.write("agent-runner: \(notice)\n") }
        return end.exitCode
    }

    /// The last `count` lines of `kinds`, oldest first, across month files. Only lines whose kind
    /// matches are parsed (to skip lines that are not events).
    static func lastLines(logDir: String, kinds: Set<String>, count: Int) throws -> [String] {
        var lines: [String] = []
        try EventLogReader(directory: logDir).scanLines { line in
            if let kind = Event.kind(inLine: line), !kinds.contains(kind) { return true }
            if let event = Event(line: line), kinds.contains(event.kind) { lines.append(JSONLines.compact(event)) }
            return lines.count < count
        }
        return lines.reversed()
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
