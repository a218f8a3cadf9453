import FleetCore

/// The `monitor --mode http` page and its `/api/state` document (the original's shape, spec
/// detectors.md §12): round state, narrative, recent events, round log tail, throttle and
/// self-termination, re-read from disk on every request. Every value that comes from a log is
/// HTML-escaped: an agent (or anything it prints) controls those bytes.
public struct ProgressPage: Sendable {
    public static let recentEvents = 20
    public static let tailLines = 50

    public let config: AgentRunnerConfig
    public let clock: any WallClock

    public init(config: AgentRunnerConfig, clock: any WallClock) {
        self.config = config
        self.clock = clock
    }

    var logDir: String { config.runtime.logDir }

    /// `/api/state`, through the one redactor as a whole: the narrative, the round log tail and
    /// the sentinel's reason are the agent's own words, and this page is a sink like peek.
    public func state() -> JSONValue {
        SecretRedactor.redact(unredactedState())
    }

    private func unredactedState() -> JSONValue {
        let tail =
            (try? EventTail.read(logDir: logDir, recentEvents: Self.recentEvents, rounds: 0, now: clock.now().seconds))
            ?? EventTail()
        let running = ((try? PidFile(path: logDir + "/agent.pid").runningPID()) ?? nil) != nil
        var roundState: JSONObject
        if let status = PeekBuilder.readObject(logDir + "/status.json"), let round = status["round_num"]?.intValue {
            roundState = JSONObject([
                ("round_num", .int(round)), ("phase", status["current_phase"] ?? .null),
                ("running", .bool(running || status["running"]?.boolValue == true)),
                ("last_outcome", status["last_exit_code"].map { $0.intValue == 0 ? "ok" : "failed" } ?? .null),
                ("last_duration_s", status["last_duration_s"] ?? .null),
                ("last_completed_at", status["last_completed_at"] ?? .null),
            ])
        } else {
            roundState = JSONObject([
                ("round_num", .int(0)), ("phase", .null), ("running", .bool(running)), ("last_outcome", .null),
            ])
        }
        let sentinel = logDir + "/.agent-done"
        var selfTerminated = JSONObject([("present", .bool(false)), ("reason", .null)])
        if Directories.exists(sentinel) {
            let reason = UTF8Clip.prefix(
                String(decoding: Directories.read(sentinel, from: 0, limit: 4096), as: UTF8.self), maxScalars: 200,
                maxBytes: 800)
            selfTerminated = JSONObject([("present", .bool(true)), ("reason", .string(reason))])
        }
        var rateLimit: JSONValue = .null
        if let limit = tail.rateLimit {
            rateLimit = .object(
                JSONObject([
                    ("throttled_until_iso", .string(Self.isoOffset(limit.throttledUntilEpoch))),
                    ("limit_type", .string(limit.limitType)),
                    ("since_round", limit.sinceRound.map { .int(Int64($0)) } ?? .null), ("phase", .string(limit.phase)),
                ]))
        }
        // The newest transcript, not round-current.log: in a log dir the original wrote, that
        // points at its (empty) wrapper log of the previous round.
        let logs = RoundLogs(logDir: logDir)
        let transcript = logs.transcript(forRound: logs.highestRound()) ?? logs.currentLink
        return .object(
            JSONObject([
                ("round_state", .object(roundState)),
                ("narrative", .string(PeekBuilder.lastLines(of: config.runtime.narrativeFile, Self.tailLines))),
                ("recent_events", .array(tail.recentEvents.map(PeekBuilder.raw))),
                ("round_log_tail", .string(PeekBuilder.lastLines(of: transcript, Self.tailLines))),
                ("self_terminated", .object(selfTerminated)),
                ("rate_limit", rateLimit),
            ]))
    }

    /// The paths ``respond(to:)`` serves, for the 404's hint.
    public static let paths = "/, /api/state, /style.css, /progress.js"

    /// The answer to one request, read from disk now: the page, its JSON, its stylesheet and
    /// its script (each its own path: the Content-Security-Policy refuses inline ones).
    public func respond(to request: HTTPRequest) -> HTTPServerResponse {
        switch request.path {
        case "/":
            return .html(Self.html(state(), project: config.project, logDir: logDir, now: Self.seconds(clock.now())))
        case "/api/state": return .json(Array(JSONWriter(style: .python).string(state()).utf8))
        case "/style.css": return .css(PageStyle.css)
        case ProgressPageScript.path: return .javascript(ProgressPageScript.source)
        // Browsers ask for it on their own: no content rather than a 404 in the console.
        case "/favicon.ico": return HTTPServerResponse(status: 204, reason: "No Content", body: "")
        default: return .notFound(tryPaths: Self.paths)
        }
    }

    /// The page for `state` at `now` (Unix seconds): banners, the narrative, the round's cards,
    /// recent events and the round log tail (``ProgressPageBody``), kept current by
    /// ``ProgressPageScript`` without reloading.
    public static func html(_ state: JSONValue, project: String, logDir: String, now: Double) -> String {
        PageShell.render(
            title: "agent-runner · " + project, subtitle: "log dir " + logDir, generatedAt: now,
            scripts: [ProgressPageScript.path], body: ProgressPageBody.render(state, now: now))
    }

    static func seconds(_ instant: UTCInstant) -> Double {
        Double(instant.seconds) + Double(instant.nanoseconds) / 1e9
    }

    /// `2026-11-25T15:42:02+00:00`, Python's `datetime.fromtimestamp(t, UTC).isoformat()`.
    static func isoOffset(_ epoch: Int64) -> String {
        String(EventTimestamp.format(UTCInstant(seconds: epoch)).prefix(19)) + "+00:00"
    }
}
