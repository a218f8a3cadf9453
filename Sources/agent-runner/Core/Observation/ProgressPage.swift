import FleetCore

/// The `monitor --mode http` page and its `/api/state` document (detectors.md §12): round
/// state, narrative, recent events, round log tail and self-termination, re-read from disk on
/// every request. Every value that comes from a log is HTML-escaped: an agent (or anything it
/// prints) controls those bytes.
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

    /// `/api/state`.
    public func state() -> JSONValue {
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
            let reason = String(
                String(decoding: Directories.read(sentinel, from: 0, limit: 4096), as: UTF8.self).prefix(200))
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

    /// The HTML page for `state`: five sections, refreshed by the browser every 5 s.
    public static func html(_ state: JSONValue, project: String) -> String {
        let round = state["round_state"]
        var roundLines = ""
        for key in ["round_num", "phase", "running", "last_outcome", "last_duration_s"] {
            roundLines += "\(key): \(Narration.pythonString(round?[key] ?? .null))\n"
        }
        let narrative = state["narrative"]?.stringValue ?? ""
        let events = (state["recent_events"]?.arrayValue ?? []).compactMap(\.objectValue)
            .map { Narration.line($0, eventWidth: 25, roundKey: "round_num") }.joined(separator: "\n")
        let logTail = state["round_log_tail"]?.stringValue ?? ""
        let terminated = state["self_terminated"]
        let termination =
            terminated?["present"]?.boolValue == true
            ? "yes — reason: " + (terminated?["reason"]?.stringValue ?? "") : "active"
        var banner = ""
        if let limit = state["rate_limit"], limit != .null {
            let since = limit["since_round"]?.intValue.map { ", since R\($0)" } ?? ""
            banner =
                "<p style=\"background:#b00020;color:#fff;padding:8px;font-weight:bold\">Throttled until "
                + escape(limit["throttled_until_iso"]?.stringValue ?? "unknown") + " ("
                + escape(limit["limit_type"]?.stringValue ?? "") + escape(since) + ")</p>\n"
        }
        return """
            <!DOCTYPE html>
            <html><head>
            <meta charset="utf-8">
            <meta http-equiv="refresh" content="5">
            <title>agent-runner progress</title>
            </head><body>
            <h1>agent-runner progress</h1>
            <p>project: \(escape(project))</p>
            \(banner)
            <h2>Round state</h2>
            <pre>\(escape(roundLines))</pre>

            <h2>Narrative</h2>
            <pre>\(narrative.isEmpty ? "(no narrative file yet)" : escape(narrative))</pre>

            <h2>Recent events</h2>
            <pre>\(events.isEmpty ? "(no events yet)" : escape(events))</pre>

            <h2>Round log tail</h2>
            <pre>\(logTail.isEmpty ? "(no round running yet)" : escape(logTail))</pre>

            <h2>Self-termination</h2>
            <pre>\(escape(termination))</pre>
            </body></html>

            """
    }

    /// Text safe inside HTML elements and attribute values.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#x27;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// `2026-11-25T15:42:02+00:00`, Python's `datetime.fromtimestamp(t, UTC).isoformat()`.
    static func isoOffset(_ epoch: Int64) -> String {
        String(EventTimestamp.format(UTCInstant(seconds: epoch)).prefix(19)) + "+00:00"
    }
}
