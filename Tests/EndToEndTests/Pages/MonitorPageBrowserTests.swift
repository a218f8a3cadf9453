import AgentRunnerCore
import FleetCore
import Foundation
import HeadlessBrowser
import XCTest

/// `agent-runner monitor --mode http` loaded in a real headless chromium: hostile log text shows
/// as text and never runs, the Content-Security-Policy has nothing to block, the page's script
/// keeps it current without reloading (and renders what the server renders), and a screenshot
/// of it goes to `.build/artifacts/pages/` and `docs/images/` (``PageArtifacts``).
///
/// Replaces `scripts/check-http-page.sh`, which only dumped the DOM once with no script running.
final class MonitorPageBrowserTests: XCTestCase {
    static let digest = "369f708561f25725e95cee052f7c4feec7c4513dd4b3c8061e73fbc5fbe4c8d8"
    static let head = "7a98f40b93be10c09260a0ef4114ba4e03d4c32e"

    /// What an agent could print, each aimed at a different place of the page.
    static let hookName = #"<img src=x onerror="window.pwned=1;document.title='pwned'">"#
    static let errorMessage = "<script>window.pwned=1;document.title='pwned'</script>"
    static let narrativeLine = "narrative with <b>markup</b> & <script>window.pwned=1</script>"
    static let transcriptLine = #"</pre><img src=x onerror="window.pwned=1"> & <iframe src="/api/state">"#
    static let liveName = "live-<i>marker</i>"
    static let liveMessage = "<svg onload=window.pwned=1>"

    func testHostileLogTextStaysTextAndThePageUpdatesItselfLive() throws {
        let project = try AgentProject(self)
        let now = Double(SystemClock().now().seconds)
        try Self.writeLogs(project, now: now)
        let server = try MonitorServer(project)
        defer { server.stop() }
        let browser = try PageArtifacts.launchBrowser(width: 1280, height: 900)
        defer { browser.close() }
        let page = try browser.open(server.url)
        let served = try fragments(page)

        XCTAssertEqual(try page.evaluate("typeof window.pwned"), "undefined", "a payload ran")
        XCTAssertEqual(try page.evaluate("document.title"), "agent-runner · project")
        XCTAssertEqual(
            try page.evaluate("document.querySelectorAll('main img, main b, main i, main iframe, main svg').length"), 0)
        XCTAssertEqual(try page.evaluate("document.querySelectorAll('script').length"), 1)
        let text = try XCTUnwrap(page.evaluate("document.querySelector('main').innerText").stringValue)
        for hostile in [Self.hookName, Self.errorMessage, Self.narrativeLine, Self.transcriptLine] {
            XCTAssertTrue(text.contains(hostile), "\(hostile) is not shown as text:\n\(text)")
        }
        XCTAssertTrue(text.contains("Throttled until"), text)
        XCTAssertEqual(
            try page.evaluate("document.querySelector('#events .digest').title"), .string(Self.head),
            "the newest digest on the page is the git head, shortened with its full value on hover")
        XCTAssertEqual(
            try page.evaluate("getComputedStyle(document.getElementById('log-tail')).whiteSpace"), "pre-wrap")
        XCTAssertEqual(
            try page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), true,
            "a 640-character log line widened the page")
        XCTAssertEqual(
            try page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor"),
            "rgb(31, 42, 55)", "the stylesheet was not applied")

        try page.waitUntil("window.progressPage.refreshes() >= 1", timeout: .seconds(15))
        XCTAssertEqual(try fragments(page), served, "the script renders what the server renders")
        try assertFormattersMatch(page)

        _ = try page.evaluate("window.__loadMark = 'kept'")
        let before = try page.evaluate("document.getElementById('generated').getAttribute('datetime')")
        try project.appendLog(
            Self.monthFile(now),
            [
                Self.line(
                    now, "hook_failed",
                    #""hook_name": \#(Self.quoted(Self.liveName)), "error_message": \#(Self.quoted(Self.liveMessage))"#)
            ])
        let shown = "e => e.textContent === \(Self.quoted(Self.liveName))"
        try page.waitUntil("[...document.querySelectorAll('#events .value')].some(\(shown))", timeout: .seconds(15))
        XCTAssertEqual(try page.evaluate("window.__loadMark"), "kept", "the page reloaded instead of updating")
        XCTAssertNotEqual(try page.evaluate("document.getElementById('generated').getAttribute('datetime')"), before)
        XCTAssertEqual(try page.evaluate("typeof window.pwned"), "undefined", "a live payload ran")
        XCTAssertEqual(try page.evaluate("document.querySelectorAll('main i, main svg').length"), 0)
        XCTAssertEqual(try page.evaluate("document.title"), "agent-runner · project")
        XCTAssertEqual(try page.evaluate("document.getElementById('stale').hidden"), true)

        XCTAssertEqual(
            PageArtifacts.problems(page), [], "the page's messages:\n\(page.messages.joined(separator: "\n"))")
        try PageArtifacts.save(page, as: "monitor-page", docs: true)

        XCTAssertEqual(server.stop(), .terminated(0))
        try page.waitUntil("!document.getElementById('stale').hidden", timeout: .seconds(15))
        let stale = try page.evaluate("document.getElementById('stale').textContent").stringValue ?? ""
        XCTAssertTrue(stale.hasPrefix("Updates stopped at "), stale)
        XCTAssertEqual(try page.evaluate("window.__loadMark"), "kept")
    }

    // MARK: The page's script against the Swift it mirrors

    /// The parts of the page the script rebuilds, as the browser serializes them.
    private func fragments(_ page: BrowserPage) throws -> JSONValue {
        try page.evaluate(
            "['narrative-text', 'cards', 'events', 'log-tail'].map(id => document.getElementById(id).outerHTML)")
    }

    private func assertFormattersMatch(_ page: BrowserPage) throws {
        let durations: [Double?] = [
            nil, 0, 0.0004, 0.2009, 0.85, 0.9996, 12.44, 59.96, 192, 3_599.6, 7_530, 86_400, 273_600, -192,
        ]
        let times: [Double?] = [nil, 0, 1_796_281_092.987, -0.5]
        let ages: [(Double?, Double)] = [(nil, 0), (0, 4.9), (0, 42.7), (0, 359), (0, 10_800), (0, 3e6), (300, 0)]
        let sizes: [Int?] = [nil, 0, 512, 1536, 1_048_000, 3_355_443, 7 << 30, 1_319_413_953_331, -2048]
        let percents: [Double?] = [nil, 87.5, 87.46, 100, 0, -0.01, -12.25]
        let values: [(JSONValue, String)] = [
            (nil, "x"), (true, "x"), (12, "round_num"), (0.0855405, "cost_usd"), (2.0, "ratio"),
            (0.20098149000000376, "duration_s"), (1800, "timeout_s"), (6657, "duration_ms"), (87.46, "disk_used_pct"),
            (1536, "log_size_kb"), (15_872, "mem_total_mb"), (1_796_281_092, "reset_at_epoch"), ("", "phase"),
            ("<x>", "e"), (["a", nil, false], "f"),
            (["opus": ["input_tokens": 5]], "m"),
        ]
        let kinds = EventKind.all.map(\.rawValue) + ["<img src=y onerror=alert(2)>", "", "new_kind_failed"]
        let texts = [
            "head \(Self.head), config sha256:\(Self.digest).", "deadbeef", "x\(Self.head)", "é\(Self.head)",
            "averylongword:\(Self.head)", "md5:\(Self.head)", ":\(Self.head)", "", "日本 \(Self.digest)",
        ]
        func json(_ value: Double?) -> String { value.map { JSONWriter.formatDouble($0) } ?? "null" }
        func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
        let script = """
            (() => {
              const p = window.progressPage;
              return {
                durations: \(list(durations.map(json))).map(x => p.duration(x)),
                times: \(list(times.map(json))).map(x => p.time(x)),
                ages: \(list(ages.map { "[\(json($0.0)), \(json($0.1))]" })).map(a => p.age(a[0], a[1])),
                sizes: \(list(sizes.map { $0.map(String.init) ?? "null" })).map(x => p.bytes(x)),
                percents: \(list(percents.map(json))).map(x => p.percent(x)),
                values: \(list(values.map { "[\(JSONWriter(style: .compact).string($0.0)), \(Self.quoted($0.1))]" }))
                  .map(v => p.valueText(v[0], v[1])),
                kinds: \(list(kinds.map(Self.quoted))).map(k => p.kindState(k)),
                pieces: \(list(texts.map(Self.quoted))).map(t => p.digestPieces(t)),
              };
            })()
            """
        let got = try page.evaluate(script)
        func strings(_ key: String) -> [String] { got[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        XCTAssertEqual(strings("durations"), durations.map { HumanText.duration(seconds: $0) })
        XCTAssertEqual(strings("times"), times.map { HumanText.time(epochSeconds: $0) })
        XCTAssertEqual(strings("ages"), ages.map { HumanText.age(epochSeconds: $0.0, now: $0.1) })
        XCTAssertEqual(strings("sizes"), sizes.map { HumanText.bytes($0) })
        XCTAssertEqual(strings("percents"), percents.map { HumanText.percent($0) })
        XCTAssertEqual(strings("values"), values.map { EventPayloadText.value($0.0, key: $0.1) })
        XCTAssertEqual(strings("kinds"), kinds.map { EventKindFamily.state(of: $0)?.cssClass ?? "" })
        let pieces: [JSONValue] = texts.map { text in
            .array(
                DigestAbbreviation.pieces(text).map { piece in
                    switch piece {
                    case .text(let plain): return ["text": .string(plain)]
                    case .digest(let full, let short): return ["full": .string(full), "short": .string(short)]
                    }
                })
        }
        XCTAssertEqual(got["pieces"], .array(pieces))
    }

    // MARK: The log directory

    /// Three and a half hours of a project's log: old enough that every age on the page reads
    /// `3 h ago` through the test (the script's render is compared with the server's).
    static func writeLogs(_ project: AgentProject, now: Double) throws {
        try FileManager.default.createDirectory(atPath: project.logDir, withIntermediateDirectories: true)
        let base = now - 3.5 * 3_600
        let lines = [
            line(base, "serve_started", #""pid": 4242, "version": "1.4.0""#),
            line(base + 5, "round_substrate_before", #""round_num": 7, "git_head": "\#(head)", "paths_hash": null"#),
            line(
                base + 6, "round_start",
                #""round_num": 7, "phase": "build", "config_digest": "\#(digest)", "config_changed": false"#),
            line(base + 7, "agent_spawn", #""round_num": 7, "timeout_s": 1800"#),
            line(
                base + 754, "agent_exit",
                #""round_num": 7, "exit_code": 0, "duration_s": 747.2, "timed_out": false, "exit_cause": "clean""#),
            line(
                base + 755, "agent_usage_recorded",
                #""agent": "claude", "model": "claude-opus-5", "round_num": 7, "input_tokens": 5, "output_tokens": 6, "#
                    + #""cost_usd": 0.0855405, "duration_ms": 6657, "phase": "build", "success": true"#),
            line(base + 756, "round_end", #""round_num": 7"#),
            line(
                base + 757, "hook_failed",
                #""hook_name": \#(quoted(hookName)), "hook_kind": "post_round", "#
                    + #""error_message": \#(quoted(errorMessage))"#),
            line(base + 758, "round_substrate_after", #""round_num": 7, "git_head": "\#(head)", "paths_hash": null"#),
            line(
                base + 900, "transient_error_detected",
                #""classification": "rate_limit_account", "agent": "claude", "reset_at_epoch": \#(Int(now) + 630), "#
                    + #""round_num": 8, "raw": "You've hit your usage limit", "phase": "build""#),
        ]
        try project.appendLog(monthFile(base), lines)
        try Harness.write(
            """
            {"round_num": 8, "current_phase": "build", "running": true, "last_exit_code": 0, "last_duration_s": 747.2,
             "last_completed_at": "\(EventTimestamp.format(UTCInstant(seconds: Int64(base + 754))))"}
            """, to: project.logDir + "/status.json")
        try Harness.write(
            """
            ## Where the project stands
            Round 7 finished the parser rewrite (commit sha256:\(digest)); the error messages now name the
            file and line. Next: the config migration, then the docs.
            \(narrativeLine)

            """, to: project.logDir + "/narrative.md")
        let transcript = RoundLogs(logDir: project.logDir).newTranscriptPath(
            forRound: 8, startedAt: UTCInstant(seconds: Int64(base + 900)))
        try Harness.write(
            """
            [round 8] reading prompts/main.md
            Running tests: 412 passed, 0 failed
            \(transcriptLine)
            \(String(repeating: "a-very-long-line-without-spaces-", count: 20))
            You've hit your usage limit; it resets in 10 minutes.

            """, to: transcript)
    }

    static func line(_ epoch: Double, _ kind: String, _ payload: String) -> String {
        #"{"ts": "\#(EventTimestamp.format(UTCInstant(seconds: Int64(epoch))))", "event": "\#(kind)", \#(payload)}"#
    }

    static func monthFile(_ epoch: Double) -> String {
        "events-" + EventTimestamp.format(UTCInstant(seconds: Int64(epoch))).prefix(7) + ".jsonl"
    }

    /// `text` as a JSON (and JavaScript) string literal.
    static func quoted(_ text: String) -> String { JSONWriter(style: .compact).string(.string(text)) }
}

/// `agent-runner monitor --mode http --port 0` on the project, with the URL it printed: the
/// kernel picks the port, so no other test can take it between a probe and the listen.
private final class MonitorServer {
    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    let process: RunningProcess
    let url: String
    private var exit: ExitStatus?

    init(_ project: AgentProject) throws {
        let errors = project.dir + "/monitor-http.err"
        var environment = ProcessRequest.currentEnvironment()
        environment.removeValue(forKey: "AGENT_RUNNER_CONFIG")
        process = try PosixProcessRunner().spawn(
            ProcessRequest(
                try Harness.binary("agent-runner"), arguments: ["monitor", "--mode", "http", "--port", "0"],
                environment: environment, workingDirectory: project.dir, standardOutput: .discard,
                standardError: .appendToFile(errors)))
        do {
            url = try PageArtifacts.announcedURL(in: errors, after: "progress page on ", timeout: .seconds(15))
        } catch {
            _ = process.terminate(grace: .seconds(2))
            throw StartError(description: "agent-runner monitor --mode http printed no URL: \(error)")
        }
    }

    /// SIGTERM, then the exit status (once; later calls return the same).
    @discardableResult
    func stop() -> ExitStatus {
        if let exit { return exit }
        let status = process.terminate(grace: .seconds(2))
        exit = status
        return status
    }
}
