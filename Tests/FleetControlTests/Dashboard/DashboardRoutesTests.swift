import Detectors
import FleetCore
import Monitoring
import Synchronization
import TestSupport
import XCTest

@testable import FleetControl

/// The dashboard's routes over fake sources: what each path answers, and what it refuses.
final class DashboardRoutesTests: XCTestCase {
    static let hostile = "<img src=x onerror=alert(1)>/..?#\"'&"

    private final class Counters: Sendable {
        let fetches = Mutex(0)
        let journalReads = Mutex(0)
        let now = Mutex(Peek.time(0))
    }

    private func routes(_ counters: Counters, hosts: [String] = ["pi", hostile]) -> DashboardRoutes {
        routesAndState(counters, hosts: hosts).0
    }

    private func routesAndState(
        _ counters: Counters, hosts: [String] = ["pi", hostile]
    ) -> (DashboardRoutes, DashboardState) {
        let state = DashboardState(
            DashboardModel(hosts: hosts.map { DashboardHost(name: $0, groups: [], pollIntervalS: 30) }))
        let transcripts = DashboardTranscripts(now: { Seconds.epoch(counters.now.withLock { $0 }) }) { host in
            counters.fetches.withLock { $0 += 1 }
            return .init(round: 7, text: "tail of \(host)", fetchedAt: Seconds.epoch(counters.now.withLock { $0 }))
        }
        let routes = DashboardRoutes(
            sources: .init(
                state: state, now: { counters.now.withLock { $0 } },
                journals: {
                    counters.journalReads.withLock { $0 += 1 }
                    return []
                }, transcripts: transcripts, refreshMS: 5000, fleetName: "inventory.toml"))
        return (routes, state)
    }

    private func get(_ routes: DashboardRoutes, _ path: String) -> HTTPServerResponse {
        routes.respond(to: HTTPRequest(method: "GET", path: path))
    }

    func testPagesScriptStyleAndStateHaveTheirContentTypesAndTheStrictPolicy() throws {
        let routes = routes(Counters())
        let cases: [(String, String)] = [
            ("/", "text/html; charset=utf-8"), ("/host/pi", "text/html; charset=utf-8"),
            ("/dashboard.js", "text/javascript; charset=utf-8"), ("/style.css", "text/css; charset=utf-8"),
            ("/api/state", "application/json"), ("/api/host/pi", "application/json"),
        ]
        for (path, type) in cases {
            let response = get(routes, path)
            XCTAssertEqual(response.status, 200, path)
            XCTAssertEqual(response.contentType, type, path)
            let head = String(decoding: response.bytes(includeBody: false), as: UTF8.self)
            XCTAssertTrue(head.contains("Content-Security-Policy: default-src 'none'; script-src 'self'"), path)
            XCTAssertTrue(head.contains("X-Content-Type-Options: nosniff"), path)
            XCTAssertTrue(head.contains("X-Frame-Options: DENY"), path)
        }
        let state = try JSONParser.strict.parse(get(routes, "/api/state").body)
        XCTAssertEqual(state["hosts"]?.arrayValue?.count, 2)
    }

    func testTheScriptSetsTextNeverMarkup() {
        for forbidden in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
            XCTAssertFalse(DashboardScript.source.contains(forbidden), forbidden)
        }
        let page = DashboardPage.overview(fleetName: "<b>fleet</b>", now: Peek.time(0), refreshMS: 5000)
        XCTAssertFalse(page.contains("<script>"), "no inline script: the policy would refuse it")
        XCTAssertFalse(page.contains("style=\""), "no inline style")
        XCTAssertTrue(page.contains("&lt;b&gt;fleet&lt;/b&gt;"))
    }

    func testAHostileHostNameIsOnePathSegmentAndEscapedOnItsPage() throws {
        let routes = routes(Counters())
        let path = DashboardPaths.hostPage(Self.hostile)
        XCTAssertFalse(path.dropFirst("/host/".count).contains { "/?#<>\"' ".contains($0) }, path)
        XCTAssertEqual(DashboardPaths.route(path), .hostPage(Self.hostile))
        XCTAssertEqual(DashboardPaths.route(DashboardPaths.transcript(Self.hostile)), .transcript(Self.hostile))
        let page = String(decoding: get(routes, path).body, as: UTF8.self)
        XCTAssertTrue(page.contains("&lt;img src=x onerror=alert(1)&gt;"))
        XCTAssertFalse(page.contains("<img"))
        let state = try JSONParser.strict.parse(get(routes, DashboardPaths.hostState(Self.hostile)).body)
        XCTAssertEqual(state["host"]?["host"], .string(Self.hostile))
    }

    func testAnOpenHostPageKeepsItsHostsRoundsAndEventsForTwoMinutes() {
        let counters = Counters()
        let (routes, state) = routesAndState(counters)
        XCTAssertEqual(state.snapshot().host("pi")?.detailsUntil, -.infinity, "no page open, nothing kept")
        _ = get(routes, "/api/host/pi")
        XCTAssertEqual(state.snapshot().host("pi")?.detailsUntil, Double(Peek.epoch) + 120)
        XCTAssertEqual(state.snapshot().host(Self.hostile)?.detailsUntil, -.infinity, "only the host looked at")
    }

    func testUnknownHostsAndPathsAre404WithTheWayBack() {
        let routes = routes(Counters())
        for path in [
            "/host/nope", "/api/host/nope", "/api/host/nope/transcript", "/etc/passwd", "/host/", "/host/a/b",
            "/host/%zz", "/../inventory.toml", "/style.css/x",
        ] {
            let response = get(routes, path)
            XCTAssertEqual(response.status, 404, path)
            XCTAssertTrue(String(decoding: response.body, as: UTF8.self).contains("/"), path)
        }
        let hostile = get(routes, "/host/%1B%5B31mred")
        XCTAssertFalse(String(decoding: hostile.body, as: UTF8.self).contains("\u{1B}"), "terminal escapes dropped")
    }

    func testATranscriptIsFetchedOnDemandAndReusedForAFewSeconds() throws {
        let counters = Counters()
        let routes = routes(counters)
        XCTAssertEqual(counters.fetches.withLock { $0 }, 0, "nothing is fetched before a page asks")
        let first = try JSONParser.strict.parse(get(routes, "/api/host/pi/transcript").body)
        XCTAssertEqual(first["text"], "tail of pi")
        XCTAssertEqual(first["round"], 7)
        _ = get(routes, "/api/host/pi/transcript")
        XCTAssertEqual(counters.fetches.withLock { $0 }, 1)
        counters.now.withLock { $0 = Peek.time(DashboardTranscripts.reuseS + 1) }
        _ = get(routes, "/api/host/pi/transcript")
        XCTAssertEqual(counters.fetches.withLock { $0 }, 2)
    }

    func testJournalsAreReadAtMostEveryTwoSecondsAndTheStateIsEncodedOncePerGenerationAndHalfSecond() throws {
        let counters = Counters()
        let (routes, state) = routesAndState(counters)
        let first = get(routes, "/api/state").body
        XCTAssertEqual(get(routes, "/api/state").body, first, "an unchanged fleet shares one encoding")
        XCTAssertEqual(counters.journalReads.withLock { $0 }, 1)
        var monitor = HostMonitor(host: "pi", policy: MonitorPolicy(toleranceS: 0))
        let down = HostPoll(
            host: "pi", outcome: .unreachable(Peek.refused), error: "refused", polledAt: Peek.time(0),
            latency: .milliseconds(1))
        _ = monitor.observe(.unreachable(Peek.refused), at: down.polledAt)
        state.record(.polled(down, monitor))
        counters.now.withLock { $0 = Peek.time(0.4) }
        XCTAssertEqual(get(routes, "/api/state").body, first, "a change is shown at most half a second late")
        counters.now.withLock { $0 = Peek.time(2.5) }
        let later = try JSONParser.strict.parse(get(routes, "/api/state").body)
        XCTAssertEqual(later["counts"]?["unreachable"], 1)
        XCTAssertEqual(counters.journalReads.withLock { $0 }, 2)
    }

    func testTheDashboardRefusesNonLoopbackAddressesWithoutTheFlag() {
        XCTAssertTrue(DashboardServer.isLoopback("127.0.0.1"))
        XCTAssertTrue(DashboardServer.isLoopback("127.1.2.3"))
        XCTAssertFalse(DashboardServer.isLoopback("0.0.0.0"))
        XCTAssertFalse(DashboardServer.isLoopback("192.168.1.5"))
    }
}
