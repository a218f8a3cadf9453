import FleetCore
import Foundation
import XCTest

@testable import AgentRunnerCore

/// The `monitor --mode http` page rendered in process: escaping, missing values, the cards,
/// banners, events table and log tail, and the paths it serves. The real browser's view is
/// `EndToEndTests.MonitorPageBrowserTests`.
final class ProgressPageTests: XCTestCase {
    let now = EventTimestamp.parse("2026-12-03T07:00:00.000Z")!
    var nowSeconds: Double { Double(now.seconds) }
    let digest = "369f708561f25725e95cee052f7c4feec7c4513dd4b3c8061e73fbc5fbe4c8d8"

    static let hostile = [
        "<script>document.title='pwned'</script>", #"<img src=x onerror="window.pwned=1">"#,
        #"" autofocus onfocus="window.pwned=1"#, "</pre><b>bold</b>", "&amp; stays &amp;",
    ]

    func page(_ fixture: ObservationFixture) -> ProgressPage {
        ProgressPage(config: fixture.config, clock: FixedClock(instant: now))
    }

    func body(_ response: HTTPServerResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    func testHostileLogValuesAppearEscaped() throws {
        let fixture = try ObservationFixture(self)
        let at = now.adding(seconds: -30)
        for (index, text) in Self.hostile.enumerated() {
            try fixture.writer.append(
                .hookFailed, ["hook_name": .string(text), "error_message": .string(text)], at: at)
            try fixture.writer.append(.roundStart, ["round_num": .int(Int64(index)), "phase": .string(text)], at: at)
        }
        let month = "events-2026-12.jsonl"
        let kindLine = #"{"ts": "2026-12-03T06:59:00.000Z", "event": "<img src=y onerror=alert(2)>", "n": 1}"#
        try (kindLine + "\n").appendLine(to: fixture.logDir + "/" + month)
        let everything = Self.hostile.joined(separator: "\n")
        try everything.write(toFile: fixture.logDir + "/narrative.md", atomically: true, encoding: .utf8)
        try everything.write(toFile: fixture.logDir + "/.agent-done", atomically: true, encoding: .utf8)
        let transcript = RoundLogs(logDir: fixture.logDir).newTranscriptPath(forRound: 4, startedAt: at)
        try FileManager.default.createDirectory(
            atPath: (transcript as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try everything.write(toFile: transcript, atomically: true, encoding: .utf8)

        let response = page(fixture).respond(to: HTTPRequest(method: "GET", path: "/"))
        XCTAssertEqual(response.contentType, "text/html; charset=utf-8")
        let html = body(response)
        XCTAssertEqual(html.components(separatedBy: "<script").count - 1, 1, "only the page's own script")
        XCTAssertTrue(html.contains(#"<script src="/progress.js" defer></script>"#))
        for refused in ["<img", "<b>", "onerror=\"", "onfocus=\"", "</pre><b>", "&amp; stays &amp;"] {
            XCTAssertFalse(html.contains(refused), "\(refused) reached the page unescaped")
        }
        for text in Self.hostile + ["<img src=y onerror=alert(2)>"] {
            let count = html.components(separatedBy: HTML.escape(text)).count - 1
            XCTAssertGreaterThanOrEqual(count, 1, "\(text) is not shown as text")
        }
        let section = try XCTUnwrap(html.range(of: "id=\"events\""))
        XCTAssertTrue(
            html[section.upperBound...].contains("<span class=\"badge state-warn\">&lt;img src=y onerror=alert(2)&gt;"),
            "a hostile kind is a badge's text")
        XCTAssertTrue(html.contains("<pre class=\"log\" id=\"log-tail\">" + HTML.escape(everything) + "</pre>"), html)
        XCTAssertTrue(html.contains("<div class=\"text\" id=\"narrative-text\">" + HTML.escape(everything)), html)
        XCTAssertTrue(html.contains("The agent ended its run (.agent-done): " + HTML.escape(everything)), html)
    }

    func testTheProjectNameIsEscapedInTitleAndHeader() {
        let html = ProgressPage.html(.object([:]), project: "<i>p</i>&q", logDir: "/l<o>g", now: nowSeconds)
        XCTAssertTrue(html.contains("<title>agent-runner · &lt;i&gt;p&lt;/i&gt;&amp;q</title>"), html)
        XCTAssertTrue(html.contains("<h1>agent-runner · &lt;i&gt;p&lt;/i&gt;&amp;q</h1>"), html)
        XCTAssertTrue(html.contains("log dir /l&lt;o&gt;g"), html)
    }

    /// A fresh log dir: every value is missing, and reads `–`, never how a program prints nothing.
    func testMissingValuesReadAsADash() throws {
        let fixture = try ObservationFixture(self)
        let html = body(page(fixture).respond(to: HTTPRequest(method: "GET", path: "/")))
        let text = Self.visibleText(html)
        for word in ["None", "null", "nil", "False", "True", "false", "true", "undefined", "NaN", "(no "] {
            XCTAssertFalse(text.contains(word), "'\(word)' on the page: \(text)")
        }
        XCTAssertTrue(html.contains(#"<div class="text muted" id="narrative-text">–</div>"#), html)
        XCTAssertTrue(html.contains(#"<pre class="log muted" id="log-tail">–</pre>"#), html)
        XCTAssertTrue(
            html.contains(#"<tbody id="events"><tr><td colspan="4" class="muted">–</td></tr></tbody>"#), html)
        XCTAssertTrue(html.contains(#"<div id="banners"></div>"#), html)
        let cards = ProgressPageBody.cardValues(page(fixture).state()["round_state"], now: nowSeconds)
        XCTAssertEqual(cards.map(\.value), ["–", "–", "no", "–", "–", "–"])
        XCTAssertEqual(cards.last?.detail, "–")
    }

    func testTheCardsShowTheRoundInWords() throws {
        let fixture = try ObservationFixture(self)
        try #"""
        {"round_num": 12, "current_phase": "build", "running": true, "last_exit_code": 0,
         "last_duration_s": 754.2, "last_completed_at": "2026-12-03T06:35:00.000Z"}
        """#.write(toFile: fixture.logDir + "/status.json", atomically: true, encoding: .utf8)
        let cards = ProgressPageBody.cardValues(page(fixture).state()["round_state"], now: nowSeconds)
        XCTAssertEqual(
            cards,
            [
                .init(id: "round", label: "round", value: "12"), .init(id: "phase", label: "phase", value: "build"),
                .init(id: "running", label: "agent running", value: "yes", state: .info),
                .init(id: "outcome", label: "last outcome", value: "ok", state: .ok),
                .init(id: "duration", label: "last duration", value: "12 min 34 s"),
                .init(
                    id: "completed", label: "last completed", value: "25 min ago", detail: "2026-12-03 06:35:00 UTC"),
            ])
        let failed: JSONValue = ["round_num": 3, "last_outcome": "failed", "running": false, "phase": ""]
        let values = ProgressPageBody.cardValues(failed, now: nowSeconds)
        XCTAssertEqual(values[1].value, "–", "an empty phase is missing")
        XCTAssertEqual(values[3].state, .bad)
        let html = ProgressPageBody.cards(failed, now: nowSeconds)
        XCTAssertTrue(
            html.contains(
                #"<div class="card state-bad" id="card-outcome"><span class="label">last outcome</span>"#
                    + #"<span class="value">failed</span></div>"#), html)
    }

    func testThrottleAndSelfTerminationBanners() {
        let state: JSONValue = [
            "rate_limit": [
                "throttled_until_iso": "2026-12-03T07:04:30+00:00", "limit_type": "five_hour", "since_round": 12,
                "phase": "",
            ],
            "self_terminated": ["present": true, "reason": ""],
        ]
        XCTAssertEqual(
            ProgressPageBody.banners(state, now: nowSeconds),
            #"<p class="banner state-warn" id="throttle">Throttled until 2026-12-03 07:04:30 UTC (in 4 min)"#
                + #" · limit: five_hour · since round 12 · phase: –</p>"#
                + #"<p class="banner state-info" id="self-terminated">The agent ended its run (.agent-done): –</p>"#)
        let unknown: JSONValue = [
            "rate_limit": ["throttled_until_iso": "unknown", "limit_type": "x", "since_round": nil, "phase": "p"],
            "self_terminated": ["present": false, "reason": nil],
        ]
        XCTAssertEqual(
            ProgressPageBody.banners(unknown, now: nowSeconds),
            #"<p class="banner state-warn" id="throttle">Throttled until – · limit: x · since round – · "#
                + #"phase: p</p>"#)
        XCTAssertEqual(ProgressPageBody.banners(["rate_limit": nil], now: nowSeconds), "")
    }

    func testEventsNewestFirstColouredByKindWithReadablePayloads() {
        let events: [JSONValue] = [
            [
                "ts": "2026-12-03T06:59:00.000Z", "event": "round_start", "round_num": 2, "phase": nil,
                "config_digest": .string(digest), "config_changed": false,
            ],
            ["ts": "2026-12-03T06:59:30.000Z", "event": "agent_exit", "duration_s": 0.2009, "timeout_s": 1800],
            ["ts": "2026-12-03T06:59:58.000Z", "event": "hook_failed", "hook_name": "h"],
            ["ts": "bad", "event": "transient_error_detected"],
        ]
        let html = ProgressPageBody.events(events, now: nowSeconds)
        let rows = html.components(separatedBy: "<tr").dropFirst().map { "<tr" + $0 }
        XCTAssertEqual(rows.count, 4)
        XCTAssertTrue(
            rows[0].hasPrefix(#"<tr class="state-warn"><td class="nowrap mono">–</td><td class="nowrap">–</td>"#))
        XCTAssertTrue(rows[0].contains(#"<span class="badge state-warn">transient_error_detected</span>"#))
        XCTAssertTrue(rows[0].hasSuffix(#"<td class="muted">–</td></tr>"#), rows[0])
        XCTAssertTrue(rows[1].hasPrefix(#"<tr class="state-bad"><td class="nowrap mono">2026-12-03 06:59:58 UTC</td>"#))
        XCTAssertTrue(rows[1].contains(#"<td class="nowrap">just now</td>"#))
        XCTAssertTrue(rows[2].contains(#"<span class="key">duration_s</span>: <span class="value">201 ms</span>"#))
        XCTAssertTrue(rows[2].contains(#"<span class="key">timeout_s</span>: <span class="value">30 min</span>"#))
        XCTAssertTrue(rows[3].hasPrefix("<tr><td"), "round_start is neutral")
        XCTAssertTrue(rows[3].contains(#"<td class="nowrap">1 min ago</td><td><span class="badge">round_start</span>"#))
        XCTAssertTrue(rows[3].contains(#"<span class="key">phase</span>: <span class="value">–</span>"#))
        XCTAssertTrue(rows[3].contains(#"<span class="key">config_changed</span>: <span class="value">no</span>"#))
        XCTAssertTrue(
            rows[3].contains(#"<span class="digest" title="\#(digest)">369f708561f2…</span>"#), "digest shortened")
    }

    func testTheNarrativeShortensDigestsAndKeepsItsLines() {
        XCTAssertEqual(
            ProgressPageBody.narrative("built sha256:\(digest)\n<ok>"),
            #"<div class="text" id="narrative-text">built <span class="digest" title="sha256:\#(digest)">"#
                + "sha256:369f708561f2…</span>\n&lt;ok&gt;</div>")
    }

    func testThePathsItServes() throws {
        let fixture = try ObservationFixture(self)
        let page = page(fixture)
        let css = page.respond(to: HTTPRequest(method: "GET", path: "/style.css"))
        XCTAssertEqual(css.contentType, "text/css; charset=utf-8")
        XCTAssertEqual(body(css), PageStyle.css)
        let script = page.respond(to: HTTPRequest(method: "GET", path: "/progress.js"))
        XCTAssertEqual(script.status, 200)
        XCTAssertEqual(script.contentType, "text/javascript; charset=utf-8")
        XCTAssertEqual(body(script), ProgressPageScript.source)
        let head = String(decoding: script.bytes(includeBody: false), as: UTF8.self)
        XCTAssertTrue(head.contains("Content-Security-Policy: default-src 'none'; script-src 'self';"), head)
        let state = page.respond(to: HTTPRequest(method: "GET", path: "/api/state", query: "x=1"))
        XCTAssertEqual(state.contentType, "application/json")
        XCTAssertEqual(try JSONParser.strict.parse(state.body), page.state())
        XCTAssertEqual(page.respond(to: HTTPRequest(method: "GET", path: "/favicon.ico")).status, 204)
        let missing = page.respond(to: HTTPRequest(method: "GET", path: "/index.html"))
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(body(missing), "not found: try /, /api/state, /style.css, /progress.js\n")
    }

    /// `/api/state` keeps the original's shape (spec detectors.md §12): the page changed, not its data.
    func testTheStateDocumentKeepsItsShape() throws {
        let fixture = try ObservationFixture(self)
        let empty = page(fixture).state()
        XCTAssertEqual(
            empty.objectValue?.keys,
            ["round_state", "narrative", "recent_events", "round_log_tail", "self_terminated", "rate_limit"])
        XCTAssertEqual(empty["round_state"]?.objectValue?.keys, ["round_num", "phase", "running", "last_outcome"])
        XCTAssertEqual(empty["self_terminated"], ["present": false, "reason": nil])
        try #"{"round_num": 2, "last_exit_code": 1, "last_duration_s": 1.5}"#.write(
            toFile: fixture.logDir + "/status.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(
            page(fixture).state()["round_state"]?.objectValue?.keys,
            ["round_num", "phase", "running", "last_outcome", "last_duration_s", "last_completed_at"])
    }

    /// The Content-Security-Policy refuses inline script and style; the page must not need them.
    func testNothingInline() throws {
        let fixture = try ObservationFixture(self)
        let html = body(page(fixture).respond(to: HTTPRequest(method: "GET", path: "/")))
        for refused in ["style=", "<style", "http-equiv", "onclick", "onload", "javascript:"] {
            XCTAssertFalse(html.contains(refused), refused)
        }
        XCTAssertTrue(html.contains(#"<link rel="stylesheet" href="/style.css">"#))
    }

    func testRequestParsing() {
        XCTAssertEqual(
            HTTPRequest.parse(head: Array("GET /api/state?x=1 HTTP/1.1\r\nHost: a\r\n\r\n".utf8)),
            HTTPRequest(method: "GET", path: "/api/state", query: "x=1", host: "a"))
        XCTAssertEqual(
            HTTPRequest.parse(head: Array("GET / HTTP/1.1\r\nhOsT:  \t127.0.0.1:80 \r\n\r\nHost: body".utf8))?.host,
            "127.0.0.1:80", "any case, blanks trimmed, nothing after the head")
        XCTAssertNil(HTTPRequest.parse(head: Array("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".utf8)))
        XCTAssertNil(HTTPRequest.parse(head: Array("garbage\r\n\r\n".utf8)))
        XCTAssertNil(HTTPRequest.parse(head: Array("GET nopath HTTP/1.1\r\n\r\n".utf8)))
        XCTAssertNil(HTTPRequest.parse(head: Array("get / HTTP/1.1\r\n\r\n".utf8)))
    }

    /// Values in words as the pages write them (never Python's None/False), and the pairs in one
    /// column whatever the kind's length.
    func testNarrationReadsInWordsInOneColumn() {
        let event: JSONObject = [
            "ts": "2026-11-25T13:38:36.320Z", "event": "round_start", "round_num": 2, "phase": .null,
            "config_changed": false, "duration_s": 2.5,
            "files": .array(["a", "b's"]),
        ]
        let pad = String(repeating: " ", count: Narration.kindWidth - "round_start".count + 1)
        XCTAssertEqual(
            Narration.line(event),
            "[13:38:36.320] round_start\(pad)round=2 phase=– config_changed=no duration_s=2.5 s files=[a, b's]")
        XCTAssertEqual(Narration.kindWidth, 31, "service_upgrade_rollback_failed, the longest kind")
        for kind in EventKind.all.map(\.rawValue) {
            let line = Narration.line(["ts": "2026-11-25T13:38:36.229Z", "event": .string(kind), "round_num": 2])
            XCTAssertEqual(line.count, "[13:38:36.229] ".count + Narration.kindWidth + 1 + "round=2".count, line)
            XCTAssertTrue(line.hasSuffix(" round=2"), line)
        }
        XCTAssertEqual(
            Narration.line(["ts": "2026-11-25T13:38:36.229Z", "event": .string(String(repeating: "x", count: 40))]),
            "[13:38:36.229] " + String(repeating: "x", count: 40))
    }

    /// The page's text as a reader sees it: tags dropped, the five references decoded.
    static func visibleText(_ html: String) -> String {
        var text = ""
        var inTag = false
        for character in html {
            if character == "<" {
                inTag = true
            } else if character == ">" {
                inTag = false
            } else if !inTag {
                text.append(character)
            }
        }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

extension String {
    fileprivate func appendLine(to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(utf8))
    }
}
