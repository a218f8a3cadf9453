import Detectors
import FleetControl
import FleetCore
import Foundation
import HeadlessBrowser
import Monitoring
import TestSupport
import XCTest

/// The fleet dashboard in real headless chromium, with hostile text everywhere a host can put
/// it: its name, event payloads, hook names, alert messages (the throttle's limit type is in
/// `rate_limit_active`'s), throttle, phase, groups, the fleet's name, the
/// transcript, a rollout's notes. Nothing may execute; everything must show as text; the
/// browser must report no policy violation and no script error.
///
/// The server is the real ``DashboardServer`` in this process, fed the watch reports a loop
/// would send (a host name cannot hold markup in an inventory, which refuses it, so no fleetctl
/// process could show one); `FleetDashboardTests` runs the whole `fleetctl watch --http`.
final class DashboardBrowserTests: XCTestCase {
    /// Each payload sets `window.pwned` if it ever runs.
    static let name = #"<img src=x onerror="window.pwned='name'">"#
    static let hook = "<script>window.pwned='hook'</script>"
    static let error = #""><svg onload="window.pwned='error'">"#
    static let limit = "</td><script>window.pwned='throttle'</script>"
    static let phase = "<iframe src=javascript:window.pwned='phase'>"
    static let transcript = "<script>window.pwned='transcript'</script>\nline two & <b>bold</b>"
    static let note = #"' onmouseover='window.pwned=1"#

    private static func document(offset: Double) -> JSONValue {
        let now = EventTimestamp.format(Peek.time(offset))
        func at(_ delta: Double) -> JSONValue { .string(EventTimestamp.format(Peek.time(offset + delta))) }
        return [
            "generated_at": .string(now), "agent_runner_version": "0.9.0", "project": "demo",
            "status": ["round_num": 3, "last_exit_code": 1],
            "recent_rounds": [
                [
                    "round_num": 3, "phase": .string(phase), "started_at": at(-40), "ended_at": at(-10),
                    "exit_code": 1, "duration_s": 30.0, "timed_out": false,
                ]
            ],
            "recent_events": [
                ["ts": at(-9), "event": "hook_failed", "hook_name": .string(hook), "error_message": .string(error)]
            ],
            "system": ["ts": .string(now), "disk_used_pct": 42.0],
            "service": [
                "mode": "pid_file", "active": true,
                "rate_limit": [
                    "throttled_until_epoch": .int(Peek.epoch + 900), "agent": "claude", "limit_type": .string(limit),
                ],
            ],
        ]
    }

    private func serve() throws -> (DashboardServer, DashboardState) {
        let hosts = ["pi", Self.name]
        let state = DashboardState(
            DashboardModel(hosts: hosts.map { DashboardHost(name: $0, groups: ["<b>edge</b>"], pollIntervalS: 1) }))
        var journal = RolloutJournal(
            id: "r1",
            plan: RolloutPlanner.plan(
                candidates: hosts.map { RolloutCandidate(name: $0, version: "0.1.0", reachable: true) },
                target: "<i>0.2.0</i>", canary: ["pi"], batch: .count(5)),
            createdAt: EventTimestamp.format(Peek.time(0)))
        journal.record("pi", .failed, note: Self.note)
        let journals = [journal]
        // Peek's epoch, ticking in real time: the server re-encodes a changed fleet after 0.5 s.
        let started = ContinuousClock.now
        let now: @Sendable () -> UTCInstant = {
            Seconds.instant(
                Double(Peek.epoch) + Double((ContinuousClock.now - started).components.seconds)
                    + Double((ContinuousClock.now - started).components.attoseconds) / 1e18)
        }
        let sources = DashboardServer.Sources(
            state: state, now: now, journals: { journals },
            transcripts: DashboardTranscripts(now: { Double(Peek.epoch) }) { _ in
                .init(round: 3, text: Self.transcript, fetchedAt: Double(Peek.epoch))
            }, refreshMS: 1000, fleetName: "<script>window.pwned='fleet'</script>")
        let server = try DashboardServer(address: "127.0.0.1", port: 0, sources: sources)
        addTeardownBlock { server.stop() }
        for host in hosts {
            state.keepDetails(of: host, until: .infinity)  // as if its page were open before this poll
            var monitor = HostMonitor(host: host, policy: MonitorPolicy())
            let document = Self.document(offset: 0)
            let poll = HostPoll(
                host: host,
                outcome: .measured(
                    observation: HostObservation(peek: document, pollerNow: Peek.time(0)),
                    facts: HostFacts(peek: document, polledAt: Peek.time(0))),
                error: nil, polledAt: Peek.time(0), latency: .milliseconds(30))
            let step = monitor.observe(.measured(poll.observation!), at: poll.polledAt)
            state.record(.polled(poll, monitor))
            for notification in step.notifications { state.record(.notification(notification, silencedBy: nil)) }
        }
        return (server, state)
    }

    private func assertNothingRan(_ page: BrowserPage, _ label: String) throws {
        XCTAssertEqual(try page.evaluate("typeof window.pwned"), "undefined", "\(label): a payload ran")
        XCTAssertEqual(
            try page.evaluate(
                "document.querySelectorAll('body script, img, iframe, svg[onload], object, embed').length"),
            0, "\(label): a payload became an element")
        XCTAssertEqual(PageArtifacts.problems(page), [], "\(label): the browser reported problems")
    }

    func testHostilePayloadsEverywhereShowAsTextAndNothingRuns() throws {
        let (server, _) = try serve()
        let browser = try PageArtifacts.launchBrowser()
        defer { browser.close() }
        let page = try browser.open(server.url)
        try page.waitUntil("document.querySelectorAll('#hosts tbody tr').length === 2 && window.dashboard.updates >= 1")
        try assertNothingRan(page, "overview")
        let hosts = try page.evaluate("document.querySelector('#hosts').textContent").stringValue ?? ""
        XCTAssertTrue(hosts.contains(Self.name), hosts)
        XCTAssertTrue(hosts.contains("<b>edge</b>"), "the group, as text")
        XCTAssertTrue(hosts.contains(Self.limit), "the throttle's limit type, as text")
        XCTAssertTrue(hosts.contains(Self.phase))
        let alerts = try page.evaluate("document.querySelector('#alerts').textContent").stringValue ?? ""
        XCTAssertTrue(alerts.contains(Self.limit), "the alert message holds the limit type, as text: \(alerts)")
        let rollout = try page.evaluate("document.querySelector('#rollout-section').textContent").stringValue ?? ""
        XCTAssertTrue(rollout.contains("<i>0.2.0</i>"), rollout)
        XCTAssertEqual(
            try page.evaluate("document.querySelector('#rollout .chip.state-bad').getAttribute('title')"),
            .string(Self.note))
        XCTAssertEqual(
            try page.evaluate("document.querySelector('header .subtitle').textContent"),
            "<script>window.pwned='fleet'</script>")
        XCTAssertEqual(try page.evaluate("document.title"), "Fleet")
        try PageArtifacts.save(page, as: "dashboard-hostile-overview")

        // The hostile host's own page, reached through its link (a percent-encoded path).
        _ = try page.evaluate(
            "Array.from(document.querySelectorAll('#hosts tbody tr')).find(r => r.dataset.host.startsWith('<img'))"
                + ".querySelector('a').click()")
        try page.waitUntil(
            "location.pathname.startsWith('/host/%3Cimg') && window.dashboard && window.dashboard.updates >= 1")
        try assertNothingRan(page, "host page")
        let events = try page.evaluate("document.querySelector('#events').textContent").stringValue ?? ""
        XCTAssertTrue(events.contains(Self.hook), events)
        XCTAssertTrue(events.contains(Self.error), events)
        XCTAssertEqual(try page.evaluate("document.querySelector('nav.crumbs .mono').textContent"), .string(Self.name))
        XCTAssertEqual(try page.evaluate("document.querySelectorAll('#rounds-chart svg rect.bar-bad').length"), 1)
        _ = try page.evaluate("document.getElementById('fetch-transcript').click()")
        try page.waitUntil("document.getElementById('transcript').textContent.includes('line two')")
        XCTAssertEqual(try page.evaluate("document.getElementById('transcript').textContent"), .string(Self.transcript))
        try assertNothingRan(page, "host page with its transcript")
        let dom = try page.dom()
        XCTAssertFalse(dom.contains("<script>window.pwned"), "a payload reached the DOM as markup")
        XCTAssertTrue(dom.contains("&lt;script&gt;window.pwned='transcript'&lt;/script&gt;"))
        try PageArtifacts.save(page, as: "dashboard-hostile-host")
    }

    func testSortingFilteringAndLiveUpdatesWorkWithoutAReload() throws {
        let (server, state) = try serve()
        let browser = try PageArtifacts.launchBrowser()
        defer { browser.close() }
        let page = try browser.open(server.url)
        try page.waitUntil("document.querySelectorAll('#hosts tbody tr').length === 2")
        _ = try page.evaluate("window.loadMark = 'first load'")
        func order() throws -> [String] {
            (try page.evaluate("Array.from(document.querySelectorAll('#hosts tbody tr')).map(r => r.dataset.host)")
                .arrayValue ?? []).compactMap(\.stringValue)
        }
        XCTAssertEqual(try order(), [Self.name, "pi"], "by name: '<' sorts before 'p'")
        _ = try page.evaluate("document.querySelector('#hosts th[data-key=host]').click()")
        XCTAssertEqual(try order(), ["pi", Self.name], "a second click reverses")
        XCTAssertEqual(try page.evaluate("location.hash"), "#sort=host:desc")
        _ = try page.evaluate(
            "const f = document.getElementById('filter'); f.value = 'pi'; f.dispatchEvent(new Event('input'))")
        XCTAssertEqual(try order(), ["pi"])
        _ = try page.evaluate(
            "const g = document.getElementById('filter'); g.value = ''; g.dispatchEvent(new Event('input'))")

        // The host becomes unreachable: the page shows it at its next fetch, without a reload.
        var monitor = HostMonitor(host: "pi", policy: MonitorPolicy(toleranceS: 0))
        let down = HostPoll(
            host: "pi", outcome: .unreachable(Peek.refused), error: "pi: connection refused",
            polledAt: Peek.time(1), latency: .milliseconds(3))
        _ = monitor.observe(.unreachable(Peek.refused), at: down.polledAt)
        state.record(.polled(down, monitor))
        try page.waitUntil("document.querySelector('#hosts tr[data-host=pi]').dataset.state === 'bad'")
        XCTAssertEqual(try page.evaluate("window.loadMark"), "first load", "the page was reloaded")
        XCTAssertEqual(
            try page.evaluate("document.querySelector('#hosts tr[data-host=pi] td:nth-child(2)').textContent"),
            "unreachable")
        XCTAssertEqual(try page.evaluate("document.querySelector('#card-unreachable .value').textContent"), "1")
        XCTAssertEqual(try order(), ["pi", Self.name], "the sort survives the update")
        XCTAssertEqual(PageArtifacts.problems(page), [])
    }
}
