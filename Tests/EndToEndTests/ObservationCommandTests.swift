import Detectors
import FleetCore
import Foundation
import TestSupport
import XCTest

/// The real `agent-runner` observation verbs (peek, status, events, watch, monitor) against real
/// logs written by a real serve or by the test.
final class ObservationCommandTests: XCTestCase {
    // MARK: peek

    func testPeekJSONHasTheSampleShapeAndTheDetectorContract() throws {
        let project = try AgentProject(self, modes: ["ok"])
        XCTAssertEqual(try project.run(["serve", "--max-rounds", "2"]).code, 0)
        let result = try project.run(["peek", "--json"])
        XCTAssertEqual(result.code, 0, result.stderr)
        let ours = try JSONParser.strict.parse(result.stdout)
        let sample = try JSONParser.strict.parse(try ObservationSamples.bytes("peek.json"))

        var problems: [String] = []
        JSONShape.compare(ours, against: sample, path: "", problems: &problems)
        XCTAssertEqual(problems, [], "peek --json differs from samples/peek.json:\n" + problems.joined(separator: "\n"))
        XCTAssertEqual(
            Array((ours.objectValue?.keys ?? []).prefix(16)), sample.objectValue?.keys,
            "the original's key order comes first")

        // The Detectors contract.
        XCTAssertNotNil(ours["generated_at"]?.stringValue.flatMap(EventTimestamp.parse))
        XCTAssertNotNil(ours["agent_runner_version"]?.stringValue)
        XCTAssertEqual(ours["config"]?["round_timeout_s"], .int(1800))
        XCTAssertEqual(ours["config"]?["supervisor_stale_threshold_s"], .null)
        let system = try XCTUnwrap(ours["system"]?.objectValue)
        for key in [
            "ts", "disk_used_pct", "inode_used_pct", "mem_available_mb", "mem_free_mb", "psi_some_avg10",
            "psi_full_avg10", "swap_sout",
        ] {
            XCTAssertTrue(system.contains(key), "system.\(key) missing")
        }
        XCTAssertNotNil(ours["system_history"]?.arrayValue)
        let rounds = try XCTUnwrap(ours["recent_rounds"]?.arrayValue)
        XCTAssertEqual(rounds.count, 2)
        XCTAssertEqual(
            rounds.first?.objectValue?.keys,
            [
                "round_num", "phase", "started_at", "ended_at", "exit_code", "duration_s",
                "timed_out", "exit_cause", "auth_failure", "network_failure",
            ])

        // What fleetctl's detectors read from it is what serve produced.
        let observation = HostObservation(peek: ours, pollerNow: UTCInstant(seconds: 0))
        XCTAssertEqual(observation.clock, .host)
        XCTAssertEqual(observation.rounds.map(\.roundNum), [1, 2])
        XCTAssertEqual(observation.rounds.map(\.exitCode), [0, 0])
        XCTAssertEqual(observation.config.roundTimeoutS, 1800)
        let metrics = try project.metricsLines()
        XCTAssertEqual(metrics.map(\.kind), ["round_start", "round_end", "round_start", "round_end"])
        XCTAssertEqual(metrics.map { $0.payload["round_num"] }, [.int(1), .int(1), .int(2), .int(2)])
        let lastMetrics = try XCTUnwrap(metrics.last)
        XCTAssertEqual(observation.latestSample?.ts, lastMetrics.ts)
        XCTAssertEqual(observation.latestSample?.diskUsedPct, lastMetrics.payload["disk_used_pct"]?.doubleValue)
        XCTAssertEqual(observation.latestSample?.memAvailableMB, lastMetrics.payload["mem_available_mb"]?.doubleValue)
        XCTAssertEqual(
            observation.system.count, 3,
            "the window's oldest sample and the previous one in system_history, plus the latest")

        // Drill-down, selection and the human form.
        let drill = try JSONParser.strict.parse(
            try project.run(["peek", "--json", "--round", "latest", "--log", "--events", "3"]).stdout)
        XCTAssertEqual(drill["current_round"]?["round_num"], .int(2))
        XCTAssertEqual(drill["current_round"]?["exit_code"], .int(0))
        XCTAssertTrue(drill["current_round"]?["log_tail"]?.stringValue?.contains(#""type":"result""#) ?? false)
        XCTAssertEqual(drill["recent_events"]?.arrayValue?.count, 3)
        XCTAssertEqual(drill["recent_events"]?[2]?["event"], .string("serve_stopped"))
        XCTAssertEqual(try project.run(["--json", "peek", "--select", "service.mode"]).stdout, "\"none\"\n")
        let disk = try project.run(["peek", "--select", "system.disk_used_pct"]).stdout
        XCTAssertNotNil(Double(disk.trimmingCharacters(in: .whitespacesAndNewlines)), disk)
        let pretty = try project.run(["peek"])
        XCTAssertEqual(pretty.code, 0)
        for expected in ["service", "not running (none)", "recent rounds", "round 2: exit 0 (clean)", "defenses"] {
            XCTAssertTrue(pretty.stdout.contains(expected), "missing '\(expected)' in:\n\(pretty.stdout)")
        }
        XCTAssertFalse(pretty.stdout.contains("PosixPath") || pretty.stdout.contains("{'"), pretty.stdout)
    }

    func testPeekAndStatusErrors() throws {
        let project = try AgentProject(self)
        let missing = try project.run(["peek", "--config", project.dir + "/nope/agent-runner.toml"])
        XCTAssertEqual(missing.code, ExitCode.config)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
        XCTAssertTrue(missing.stderr.hasPrefix("agent-runner: config error: "), missing.stderr)
        XCTAssertEqual(
            try project.run(["status", "--config", project.dir + "/nope/agent-runner.toml"]).code, ExitCode.config)
        let select = try project.run(["peek", "--select", "nope.x"])
        XCTAssertEqual(select.code, 1)
        XCTAssertEqual(select.stderr, "agent-runner: path segment 'nope' not found in select path 'nope.x'\n")
        let round = try project.run(["peek", "--round", "99"])
        XCTAssertEqual(round.code, 1)
        XCTAssertTrue(round.stderr.contains("round 99 not found"), round.stderr)
        XCTAssertEqual(try project.run(["peek", "--events", "-1"]).code, ExitCode.usage)
        XCTAssertEqual(try project.run(["peek", "--round", "zero"]).code, ExitCode.usage)
        let help = try project.run(["help", "peek"]).stdout
        XCTAssertTrue(help.contains("Exit codes:") && help.contains("--select PATH"), help)
        // No metrics yet: the original's all-zero system block.
        let fresh = try JSONParser.strict.parse(try project.run(["peek", "--json"]).stdout)
        XCTAssertEqual(fresh["system"]?["mem_total_mb"], .int(0))
        XCTAssertEqual(fresh["status"], .object([:]))
    }

    func testStatusReportsARunningServeWithItsUptime() throws {
        let project = try AgentProject(self)
        let none = try JSONParser.strict.parse(try project.run(["status", "--json"]).stdout)
        XCTAssertEqual(
            none.objectValue?.keys,
            ["mode", "active", "pid", "uptime_s", "unit_file", "rate_limit", "system_managed", "version"])
        XCTAssertEqual(none["mode"], .string("none"))
        XCTAssertEqual(none["active"], .bool(false))
        let serve = try project.startServe(environment: ["FAKE_MODE": "slow", "FAKE_SLEEP": "1"])
        defer { _ = serve.terminate(grace: .seconds(5)) }
        try AgentProject.wait("serve's first round") {
            (try? project.events())?.contains { $0.kind == "round_start" } ?? false
        }
        let running = try JSONParser.strict.parse(try project.run(["status", "--json"]).stdout)
        XCTAssertEqual(running["mode"], .string("pid_file"))
        XCTAssertEqual(running["active"], .bool(true))
        XCTAssertEqual(running["pid"], .int(Int64(serve.pid)))
        let uptime = try XCTUnwrap(running["uptime_s"]?.intValue)
        XCTAssertTrue((0...30).contains(uptime), "\(uptime)")
        let text = try project.run(["status"]).stdout
        XCTAssertTrue(text.contains("running (pid_file, pid \(serve.pid)"), text)
        XCTAssertTrue(try serve.signal(SIGTERM))
        XCTAssertEqual(serve.wait(), .terminated(0))
        XCTAssertEqual(
            try JSONParser.strict.parse(try project.run(["status", "--json"]).stdout)["mode"], .string("none"))
    }

    // MARK: events

    func testEventsWindowSinceTailRolloverAndExitCodes() throws {
        let project = try AgentProject(self)
        try FileManager.default.createDirectory(atPath: project.logDir, withIntermediateDirectories: true)
        let october = [
            line("2026-10-14T23:59:59.000Z", "round_end", 1), line("2026-10-15T00:00:00.000Z", "round_end", 2),
            line("2026-10-20T00:00:00.000Z", "agent_exit", 3),
        ]
        let november = [
            line("2026-11-01T00:00:00.000Z", "round_end", 3), line("2026-11-02T00:00:00.000Z", "round_start", 4),
            line("2026-11-02T00:00:01.000Z", "round_end", 4),
        ]
        try project.appendLog("events-2026-10.jsonl", october)
        try project.appendLog("events-2026-11.jsonl", november)

        let window = try project.run(["events", "--kind", "round_end", "--window", "3"])
        XCTAssertEqual(window.code, 0, window.stderr)
        XCTAssertEqual(
            window.stdout, [october[1], november[0], november[2]].joined(separator: "\n") + "\n",
            "the window reads across months")
        XCTAssertEqual(
            try project.run(["events", "--kind", "round_end, agent_exit"]).stdout,
            [october[0], october[1], october[2], november[0], november[2]].joined(separator: "\n") + "\n")
        let since = try project.run(["events", "--kind", "round_end", "--since", "2026-10-15T00:00:00Z"])
        XCTAssertEqual(
            since.stdout, [october[1], november[0], november[2]].joined(separator: "\n") + "\n", "--since is inclusive")
        let unknown = try project.run(["events", "--kind", "nothing_like_this"])
        XCTAssertEqual(unknown.code, 0, "another version's kinds are accepted")
        XCTAssertEqual(unknown.stdout, "")
        XCTAssertTrue(
            unknown.stderr.hasPrefix("agent-runner: warning: 'nothing_like_this' is not an event kind (known: "),
            unknown.stderr)
        let typo = try project.run(["events", "--kind", "round_ned"])
        XCTAssertEqual(typo.code, 0)
        XCTAssertEqual(
            typo.stderr,
            "agent-runner: warning: 'round_ned' is not an event kind; did you mean 'round_end'?; it matches only "
                + "lines another version wrote\n")

        for (arguments, message) in [
            (["events"], "--kind is required"), (["events", "--kind", " , "], "at least one non-empty event kind"),
            (["events", "--kind", "a", "--window", "0"], "--window must be a positive integer"),
            (["events", "--kind", "a", "--window", "2", "--tail"], "--window and --tail are mutually exclusive"),
            (
                ["events", "--kind", "a", "--window", "2", "--since", "2026-11-01"],
                "--window and --since are mutually exclusive"
            ),
            (["events", "--kind", "a", "--since", "garbage"], "--since expects an ISO-8601 timestamp"),
            (["events", "--kind", "a", "--bogus"], "unknown flag --bogus"),
        ] {
            let result = try project.run(arguments)
            XCTAssertEqual(result.code, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }

        // --tail: only new matching lines, verbatim, across the switch to a new month's file.
        let tail = try project.stream(["events", "--tail", "--kind", "round_end,agent_exit"])
        let probes = try tail.prime(
            project, file: "events-2026-11.jsonl", probe: line("2026-11-02T12:00:00.000Z", "round_end", 0))
        let appended = line("2026-11-03T00:00:00.000Z", "round_end", 5)
        let nextMonth =
            #"{"ts": "2026-12-01T00:00:00.000Z", "event": "agent_exit", "round_num": 6, "note": "two  spaces kept"}"#
        let nextMonthPrinted =
            #"{"ts":"2026-12-01T00:00:00.000Z","event":"agent_exit","round_num":6,"note":"two  spaces kept"}"#
        try project.appendLog("events-2026-11.jsonl", [line("2026-11-03T00:00:00.000Z", "agent_spawn", 5), appended])
        try tail.waitFor(appended)
        try project.appendLog("events-2026-12.jsonl", [nextMonth])
        try tail.waitFor(nextMonthPrinted)
        XCTAssertTrue(try tail.process.signal(SIGINT))
        XCTAssertEqual(tail.process.wait(), .terminated(0))
        XCTAssertEqual(
            tail.lines, probes + [appended, nextMonthPrinted],
            "only lines appended after the start, none of the old ones, as compact JSON Lines")

        // An events file that cannot be read: exit 1.
        try FileManager.default.createDirectory(
            atPath: project.logDir + "/events-2027-01.jsonl", withIntermediateDirectories: true)
        let unreadable = try project.run(["events", "--kind", "round_end"])
        XCTAssertEqual(unreadable.code, 1)
        XCTAssertTrue(unreadable.stderr.hasPrefix("agent-runner: events file unreadable: "), unreadable.stderr)
    }

    // MARK: watch

    func testWatchRefreshesUntilSIGINT() throws {
        let project = try AgentProject(self)
        let watch = try project.stream(["watch", "--interval", "0.2", "--select", "project"])
        try AgentProject.wait("three refreshes") { watch.text.components(separatedBy: "project\n").count - 1 >= 3 }
        XCTAssertTrue(try watch.process.signal(SIGINT))
        XCTAssertEqual(watch.process.wait(), .terminated(0))
        let output = watch.text
        XCTAssertGreaterThanOrEqual(output.components(separatedBy: "project\n").count - 1, 3, output)
        XCTAssertFalse(output.contains("\u{1B}["), "no screen control codes when stdout is not a terminal")
    }

    // MARK: monitor

    func testMonitorOAuthFailStopsARunningServeAndSaysWhenNothingRuns() throws {
        let project = try AgentProject(self, modes: ["auth"])
        // Two serves give up after 5 short crashes each: 10 auth failures in the log.
        XCTAssertEqual(try project.run(["serve"]).code, ExitCode.crashLoop)
        XCTAssertEqual(try project.run(["serve"]).code, ExitCode.crashLoop)
        XCTAssertEqual(try project.events().filter { $0.kind == "agent_exit" }.count, 10)

        let serve = try project.startServe(environment: ["FAKE_MODE": "slow", "FAKE_SLEEP": "1"])
        defer { _ = serve.terminate(grace: .seconds(5)) }
        try AgentProject.wait("serve.pid") { FileManager.default.fileExists(atPath: project.logDir + "/serve.pid") }
        let monitor = try project.run(["monitor", "--once", "--json"])
        XCTAssertEqual(monitor.code, 0, monitor.stderr)
        let alerts = monitor.stdout.split(separator: "\n").compactMap { try? JSONParser.strict.parse(String($0)) }
        let oauth = try XCTUnwrap(alerts.first { $0["detector"] == .string("oauth_fail") }, monitor.stdout)
        XCTAssertEqual(oauth.objectValue?.keys, ["severity", "detector", "message", "context", "ts", "auto_action"])
        XCTAssertEqual(oauth["severity"], .string("critical"))
        XCTAssertEqual(oauth["auto_action"], .string("stop_service"))
        XCTAssertGreaterThanOrEqual(oauth["context"]?["matches"]?.intValue ?? 0, 8)
        XCTAssertTrue(monitor.stderr.contains("stopped"), monitor.stderr)
        XCTAssertNotNil(serve.poll(), "the auto-stop waited for serve to exit")
        XCTAssertEqual(serve.wait(), .terminated(0))

        var events = try project.events()
        XCTAssertEqual(events.first { $0.kind == "monitor_started" }?.payload["mode"], .string("anomaly-only"))
        XCTAssertEqual(
            events.filter { $0.kind == "monitor_alert_emitted" && $0.payload["detector"] == .string("oauth_fail") }
                .count, 1)
        XCTAssertEqual(
            events.filter { $0.kind == "monitor_auto_stop_triggered" }.map { $0.payload }, [["detector": "oauth_fail"]])
        XCTAssertFalse(events.contains { $0.kind == "monitor_auto_stop_failed" })

        // The round the stop waited for was a good round after a start: the credentials work
        // again, so oauth_fail has resolved and the next check is healthy.
        let fixed = try project.run(["monitor", "--once"])
        XCTAssertEqual(fixed.code, 0, fixed.stderr)
        XCTAssertEqual(fixed.stdout, "project: healthy, no alert firing\n")

        // They break again: a serve gives up after 5 auth failures. Nothing running now: the
        // stop fails, and says so, instead of claiming success.
        XCTAssertEqual(try project.run(["serve"]).code, ExitCode.crashLoop)
        let again = try project.run(["monitor", "--once"])
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertTrue(again.stdout.hasPrefix("[CRIT] oauth_fail — "), again.stdout)
        events = try project.events()
        XCTAssertEqual(events.filter { $0.kind == "monitor_auto_stop_triggered" }.count, 1)
        let failed = try XCTUnwrap(events.last { $0.kind == "monitor_auto_stop_failed" })
        XCTAssertEqual(failed.payload["detector"], .string("oauth_fail"))
        XCTAssertTrue(failed.payload["error"]?.stringValue?.contains("nothing to stop") ?? false, "\(failed.payload)")
    }

    /// One JSON style for machine output: every --json answer is one compact object per line
    /// (re-encoding it compact gives the same bytes), never indented over many lines.
    func testEveryJSONAnswerIsOneCompactLine() throws {
        let project = try AgentProject(self)
        XCTAssertEqual(try project.run(["round"]).code, 0)
        for arguments in [
            ["status", "--json"], ["peek", "--json"], ["config", "--json"], ["doctor", "--json"],
            ["--json", "peek", "--select", "service"], ["events", "--kind", "round_start,round_end"],
            ["events", "--json", "--kind", "round_end", "--since", "2000-01-01"], ["monitor", "--once", "--json"],
        ] {
            let result = try project.run(arguments)
            XCTAssertTrue([0, 1].contains(result.code), "\(arguments): \(result.stderr)")
            XCTAssertFalse(result.stdout.isEmpty, "\(arguments)")
            for line in result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                let value = try JSONParser.strict.parse(String(line))
                XCTAssertEqual(String(line) + "\n", JSONLines.line(value), "\(arguments): one compact line")
            }
            XCTAssertTrue(result.stdout.hasSuffix("}\n"), "\(arguments): \(result.stdout)")
        }
    }

    /// A healthy poll says so in one line (and one JSON Lines object), like `monitor --host H --once`.
    func testMonitorOnceSaysHealthyInOneLine() throws {
        let project = try AgentProject(self)
        let text = try project.run(["monitor", "--once"])
        XCTAssertEqual(text.code, 0, text.stderr)
        XCTAssertEqual(text.stdout, "project: healthy, no alert firing\n")
        let json = try project.run(["monitor", "--once", "--json"])
        XCTAssertEqual(json.code, 0, json.stderr)
        XCTAssertEqual(json.stdout, #"{"project":"project","healthy":true,"alerts":[]}"# + "\n")
    }

    func testMonitorEventsStreamsOnlyNewEventsAndNarrateReplaysHistory() throws {
        let project = try AgentProject(self)
        try FileManager.default.createDirectory(atPath: project.logDir, withIntermediateDirectories: true)
        let old = line("2026-11-01T10:00:00.123Z", "round_end", 1)
        try project.appendLog("events-2026-11.jsonl", [old])
        let stream = try project.stream(["monitor", "--mode", "events"])
        // Probes appended before the stream started are history, not new events: not printed.
        let probes = try stream.prime(
            project, file: "events-2026-11.jsonl", probe: line("2026-11-01T10:00:00.500Z", "round_end", 0))
        let new = line("2026-11-01T10:00:01.000Z", "round_start", 2)
        try project.appendLog("events-2026-11.jsonl", [new])
        try stream.waitFor(new)
        XCTAssertTrue(try stream.process.signal(SIGTERM))
        XCTAssertEqual(stream.process.wait(), .terminated(0))
        XCTAssertEqual(stream.lines, probes + [new], "only events appended after the start")

        let narrate = try project.stream(["monitor", "--mode", "narrate"])
        let replayed = "[10:00:01.000] round_start" + String(repeating: " ", count: 21) + "round=2"
        try narrate.waitFor(replayed)
        XCTAssertTrue(try narrate.process.signal(SIGINT))
        XCTAssertEqual(narrate.process.wait(), .terminated(0))
        XCTAssertEqual(
            narrate.lines.first, "[10:00:00.123] round_end" + String(repeating: " ", count: 23) + "round=1",
            "narrate replays history first")
        XCTAssertEqual(narrate.lines.last, replayed)
        let probeNarrated = "[10:00:00.500] round_end" + String(repeating: " ", count: 23) + "round=0"
        XCTAssertEqual(Set(narrate.lines.dropFirst().dropLast()), [probeNarrated], "every probe appended, seen or not")
    }

    func testHTTPProgressPage() throws {
        let project = try AgentProject(self)
        try FileManager.default.createDirectory(atPath: project.logDir, withIntermediateDirectories: true)
        try project.appendLog(
            "events-2026-11.jsonl",
            [
                line("2026-11-01T10:00:00.000Z", "round_start", 1),
                #"{"ts": "2026-11-01T10:00:01.000Z", "event": "hook_failed", "hook_name": "h", "error_message": "<script>alert(1)</script>"}"#,
            ])
        let port = try LocalHTTP.freePort()
        let server = try project.spawn(["monitor", "--mode", "http", "--port", String(port)])
        defer { _ = server.terminate(grace: .seconds(2)) }
        try AgentProject.wait("the server to listen", timeout: 10) {
            (try? LocalHTTP.get(port: port, "/api/state")) != nil
        }

        let page = try LocalHTTP.get(port: port, "/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.head.contains("Content-Type: text/html"), page.head)
        XCTAssertTrue(page.head.contains("Content-Security-Policy: default-src 'none'; script-src 'self';"), page.head)
        XCTAssertFalse(page.body.contains("http-equiv"), "the script updates the page; it never reloads")
        for section in ["Narrative", "Round", "Recent events", "Round log tail"] {
            XCTAssertTrue(page.body.contains("-title\">\(section)</h2>"), "section \(section) missing:\n\(page.body)")
        }
        XCTAssertTrue(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), page.body)
        XCTAssertFalse(page.body.contains("<script>"), page.body)
        for (path, type) in [("/style.css", "text/css"), ("/progress.js", "text/javascript")] {
            let asset = try LocalHTTP.get(port: port, path)
            XCTAssertEqual(asset.status, 200, path)
            XCTAssertTrue(asset.head.contains("Content-Type: \(type); charset=utf-8"), asset.head)
        }

        let state = try LocalHTTP.get(port: port, "/api/state")
        XCTAssertEqual(state.status, 200)
        let json = try JSONParser.strict.parse(state.body)
        XCTAssertEqual(
            json.objectValue?.keys,
            ["round_state", "narrative", "recent_events", "round_log_tail", "self_terminated", "rate_limit"])
        XCTAssertEqual(json["recent_events"]?.arrayValue?.count, 2)
        XCTAssertEqual(json["self_terminated"]?["present"], .bool(false))

        XCTAssertEqual(try LocalHTTP.get(port: port, "/nope").status, 404)
        XCTAssertEqual(try LocalHTTP.request(port: port, "BLAH\r\n\r\n").status, 400)
        XCTAssertEqual(try LocalHTTP.request(port: port, "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").status, 405)
        XCTAssertEqual(try LocalHTTP.request(port: port, "").status, 0, "a client that sends nothing gets nothing")
        XCTAssertEqual(try LocalHTTP.get(port: port, "/").status, 200, "still serving after bad requests")

        let second = try project.run(["monitor", "--mode", "http", "--port", String(port)])
        XCTAssertEqual(second.code, 1)
        XCTAssertTrue(second.stderr.hasPrefix("agent-runner: port \(port) in use ("), second.stderr)
        XCTAssertTrue(second.stderr.contains("try --port <other>"), second.stderr)

        XCTAssertTrue(try server.signal(SIGTERM))
        XCTAssertEqual(server.wait(), .terminated(0))
    }

    // MARK: Helpers

    /// An event line as the log holds it and as `events`/`monitor --mode events` print it (compact).
    private func line(_ ts: String, _ kind: String, _ round: Int) -> String {
        #"{"ts":"\#(ts)","event":"\#(kind)","round_num":\#(round)}"#
    }
}

extension AgentProject {
    /// Starts `agent-runner ARGS` in the project, output captured.
    func spawn(_ arguments: [String]) throws -> RunningProcess {
        var env = ProcessRequest.currentEnvironment()
        env.removeValue(forKey: "AGENT_RUNNER_CONFIG")
        return try PosixProcessRunner().spawn(
            ProcessRequest(
                try Harness.binary("agent-runner"), arguments: arguments, environment: env, workingDirectory: dir,
                standardOutput: .capture(), standardError: .capture()))
    }

    /// Appends lines to a file of the log directory.
    func appendLog(_ name: String, _ lines: [String]) throws {
        let path = logDir + "/" + name
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(lines.map { $0 + "\n" }.joined().utf8))
        handle.closeFile()
    }

    /// Every line of the metrics log, oldest first.
    func metricsLines() throws -> [Event] {
        try EventLogReader(directory: logDir, prefix: EventLogFile.metricsPrefix).lastEvents(10_000)
    }
}

/// The spec's samples under `shared/spec/samples`, found by walking up from this file.
enum ObservationSamples {
    static func bytes(_ name: String) throws -> [UInt8] {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("shared/spec/samples/" + name)
            if let data = FileManager.default.contents(atPath: candidate.path) { return [UInt8](data) }
            directory = directory.deletingLastPathComponent()
        }
        XCTFail("shared/spec/samples/\(name) not found above \(#filePath)")
        throw MissingPrerequisite("sample missing")
    }
}

/// Compares field names and JSON types with a reference document, recursively.
enum JSONShape {
    /// Objects whose keys are data (agent names, phase names), not schema.
    static let mapPaths: Set<String> = ["plugins.cooperative_stop", "config.phase_round_timeouts"]

    /// Records every field of `sample` that `ours` lacks or holds with another JSON type. A null
    /// in the sample accepts any type; list elements are matched by `name` when they have one,
    /// else against the sample's first element.
    static func compare(_ ours: JSONValue, against sample: JSONValue, path: String, problems: inout [String]) {
        switch (sample, ours) {
        case (.null, _):
            return
        case (.object(let reference), .object(let object)):
            guard !mapPaths.contains(path) else { return }
            for (key, value) in reference {
                let child = path.isEmpty ? key : path + "." + key
                guard let mine = object[key] else {
                    problems.append("\(child): missing")
                    continue
                }
                compare(mine, against: value, path: child, problems: &problems)
            }
        case (.array(let reference), .array(let array)):
            guard let first = reference.first else { return }
            for (index, element) in array.enumerated() {
                let named = element["name"].flatMap { name in reference.first { $0["name"] == name } }
                if let named {
                    compare(element, against: named, path: "\(path).\(index)", problems: &problems)
                } else if case .object(var shape) = first {
                    shape.removeValue(forKey: "value")
                    compare(element, against: .object(shape), path: "\(path).\(index)", problems: &problems)
                } else {
                    compare(element, against: first, path: "\(path).\(index)", problems: &problems)
                }
            }
        default:
            if kind(of: ours) != kind(of: sample) {
                problems.append("\(path): \(kind(of: ours)) where the sample has \(kind(of: sample))")
            }
        }
    }

    static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "string"
        case .array: return "list"
        case .object: return "object"
        }
    }
}

/// A plain-socket HTTP client for the progress page tests.
enum LocalHTTP {
    struct Response {
        var status: Int
        var head: String
        var body: String
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw NSError(domain: "socket", code: Int(errno)) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func get(port: Int, _ path: String) throws -> Response {
        try request(port: port, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    }

    /// Sends `raw`, reads until the server closes; status 0 when nothing came back.
    static func request(port: Int, _ raw: String) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw NSError(domain: "connect", code: Int(errno)) }
        let bytes = Array(raw.utf8)
        if !bytes.isEmpty { _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        shutdown(fd, Int32(SHUT_WR))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return Response(status: 0, head: text, body: "") }
        let head = String(text[..<split.lowerBound])
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return Response(status: status, head: head, body: String(text[split.upperBound...]))
    }
}

/// A streaming verb (`events --tail`, `monitor --mode events`, `watch`) whose stdout goes to a
/// file, so a test waits for the lines it expects instead of sleeping a guessed time.
final class StreamingVerb {
    let process: RunningProcess
    let outputPath: String

    init(process: RunningProcess, outputPath: String) {
        self.process = process
        self.outputPath = outputPath
    }

    var text: String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    var lines: [String] {
        text.split(separator: "\n").map(String.init)
    }

    /// Waits until `line` has been printed.
    func waitFor(_ line: String, file: StaticString = #filePath, line number: UInt = #line) throws {
        try AgentProject.wait("the stream to print \(line)", timeout: 10, file: file, line: number) {
            lines.contains(line)
        }
    }

    /// Appends `probe` to the log file `file` until the stream prints it: the stream is then
    /// running and positioned at the end of the log. Returns the probe lines it printed.
    func prime(_ project: AgentProject, file: String, probe: String) throws -> [String] {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            try project.appendLog(file, [probe])
            let started = ContinuousClock.now
            while ContinuousClock.now - started < .milliseconds(500) {
                if lines.contains(probe) { return lines }
                usleep(20_000)
            }
        }
        XCTFail("the stream never printed \(probe)")
        return lines
    }
}

extension AgentProject {
    /// Starts `agent-runner ARGS` in the project with stdout going to a file.
    func stream(_ arguments: [String]) throws -> StreamingVerb {
        let outputPath = dir + "/stream-\(UUID().uuidString).out"
        var env = ProcessRequest.currentEnvironment()
        env.removeValue(forKey: "AGENT_RUNNER_CONFIG")
        let process = try PosixProcessRunner().spawn(
            ProcessRequest(
                try Harness.binary("agent-runner"), arguments: arguments, environment: env, workingDirectory: dir,
                standardOutput: .appendToFile(outputPath), standardError: .capture()))
        return StreamingVerb(process: process, outputPath: outputPath)
    }
}
