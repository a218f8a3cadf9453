import FleetCore
import Foundation
import HeadlessBrowser
import TestSupport
import XCTest

/// `fleetctl watch --http` end to end: the real fleetctl over real ssh to two loopback hosts
/// running the real agent-runner serve, its dashboard in real headless chromium. The page must
/// follow the fleet as it changes (a serve killed and started again, then the whole network
/// gone and back) by its own fetches, without ever being reloaded.
final class FleetDashboardTests: XCTestCase {
    func testTheOverviewFollowsHostsKilledAndRevivedWithoutAReload() throws {
        let fleet = try FleetFixture(self, hosts: ["pi1", "pi2"])
        let one = try fleet.project(self, on: "pi1", modes: ["slow"])
        let two = try fleet.project(self, on: "pi2", modes: ["slow"])
        try fleet.inventory(
            defaults: ["remote_failure_tolerance_s = 2", "[defaults.auto_stop]", "enabled = false"],
            """
            [groups.lab]
            hosts = ["pi2"]
            \(FleetFixture.host("pi1", project: one))
            \(FleetFixture.host("pi2", project: two))
            """)
        var serveOne = try one.startServe()
        let serveTwo = try two.startServe()
        defer {
            _ = serveOne.terminate(grace: .seconds(5))
            _ = serveTwo.terminate(grace: .seconds(5))
        }
        let stderr = fleet.root + "/watch.stderr"
        let watch = try PosixProcessRunner().spawn(
            ProcessRequest(
                try Harness.binary("fleetctl"),
                arguments: ["watch", "--json", "--http", "127.0.0.1:0", "-i", fleet.root + "/inventory.toml"],
                standardOutput: .discard, standardError: .appendToFile(stderr)))
        defer { _ = watch.terminate(grace: .seconds(5)) }
        let url = try PageArtifacts.announcedURL(in: stderr, after: "dashboard on ")
        XCTAssertTrue(url.hasPrefix("http://127.0.0.1:"), url)

        let browser = try PageArtifacts.launchBrowser()
        defer { browser.close() }
        let page = try browser.open(url)
        func state(_ host: String) -> String {
            "document.querySelector('#hosts tr[data-host=\(host)]')?.dataset.state"
        }
        func reach(_ host: String) -> String {
            "document.querySelector('#hosts tr[data-host=\(host)] td:nth-child(2)')?.textContent"
        }
        func service(_ host: String) -> String {
            "document.querySelector('#hosts tr[data-host=\(host)] td:nth-child(3)')?.textContent"
        }
        try page.waitUntil(
            "\(reach("pi1")) === 'reachable' && \(reach("pi2")) === 'reachable'"
                + " && \(service("pi1")) === 'running' && \(service("pi2")) === 'running'", timeout: .seconds(30))
        XCTAssertEqual(try page.evaluate(state("pi1")), "ok")
        XCTAssertEqual(try page.evaluate("document.querySelector('#card-hosts .value').textContent"), "2")
        _ = try page.evaluate("window.loadMark = 'first load'")

        // pi1's serve is killed: its row turns to a stopped service; pi2's does not change.
        _ = try serveOne.signalGroup(SIGKILL)
        _ = serveOne.wait()
        try page.waitUntil("\(service("pi1")) === 'stopped'", timeout: .seconds(30))
        XCTAssertEqual(try page.evaluate(state("pi1")), "muted")
        XCTAssertEqual(try page.evaluate(service("pi2")), "running")
        XCTAssertEqual(try page.evaluate("document.querySelector('#card-stopped .value').textContent"), "1")
        serveOne = try one.startServe()
        try page.waitUntil("\(service("pi1")) === 'running'", timeout: .seconds(30))

        // The hosts' sshd dies: both hosts blip, then are given up; then it comes back.
        fleet.sshd.stop()
        try page.waitUntil(
            "\(reach("pi1")) === 'unreachable' && \(reach("pi2")) === 'unreachable'", timeout: .seconds(30))
        XCTAssertEqual(try page.evaluate(state("pi1")), "bad")
        XCTAssertEqual(try page.evaluate("document.querySelector('#card-unreachable .value').textContent"), "2")
        let alerts = try page.evaluate("document.querySelector('#alerts').textContent").stringValue ?? ""
        XCTAssertTrue(alerts.contains("monitor_remote_giveup"), alerts)
        try PageArtifacts.save(page, as: "fleet-dashboard-unreachable")
        try fleet.sshd.start()
        try page.waitUntil(
            "\(reach("pi1")) === 'reachable' && \(reach("pi2")) === 'reachable'", timeout: .seconds(30))
        try page.waitUntil("\(state("pi1")) === 'ok' && \(state("pi2")) === 'ok'", timeout: .seconds(30))
        XCTAssertEqual(try page.evaluate("window.loadMark"), "first load", "the page was reloaded")
        XCTAssertGreaterThan(try page.evaluate("window.dashboard.updates").intValue ?? 0, 3)

        // The filter by group, and a host's page with its rounds and the transcript on demand.
        _ = try page.evaluate(
            "const f = document.getElementById('filter'); f.value = 'group:lab'; f.dispatchEvent(new Event('input'))")
        XCTAssertEqual(
            try page.evaluate("Array.from(document.querySelectorAll('#hosts tbody tr')).map(r => r.dataset.host)"),
            ["pi2"])
        _ = try page.evaluate(
            "const s = document.getElementById('filter'); s.value = '@lab'; s.dispatchEvent(new Event('input'))")
        XCTAssertEqual(
            try page.evaluate("Array.from(document.querySelectorAll('#hosts tbody tr')).map(r => r.dataset.host)"),
            ["pi2"], "fleetctl's selector spelling of a group")
        try page.navigate(url + "host/pi2")
        try page.waitUntil("document.querySelectorAll('#rounds tbody tr').length >= 1", timeout: .seconds(30))
        _ = try page.evaluate("document.getElementById('fetch-transcript').click()")
        try page.waitUntil("!document.getElementById('transcript').hidden", timeout: .seconds(30))
        let transcript = try page.evaluate("document.getElementById('transcript').className").stringValue
        let text = try page.evaluate("document.getElementById('transcript').textContent").stringValue ?? ""
        XCTAssertEqual(transcript, "log", "the transcript fetch failed: \(text)")
        XCTAssertEqual(PageArtifacts.problems(page), [])
        try PageArtifacts.save(page, as: "fleet-dashboard-host")
    }
}
