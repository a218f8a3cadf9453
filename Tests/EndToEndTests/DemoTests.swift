import FleetCore
import Foundation
import XCTest

/// `fleetctl demo`, the README's first command: real services with demo agents, watched as a
/// fleet. Everything the demo promises must happen within a minute, and nothing may be left
/// running afterwards.
final class DemoTests: XCTestCase {
    /// Also the dashboard the demo serves, in headless chromium, while the demo runs: the
    /// screenshots in docs/images come from here.
    func testDemoShowsEveryBehaviourAndLeavesNothingRunning() throws {
        let dir = try Harness.temporaryDirectory(self) + "/demo"
        let stderrPath = dir + ".stderr"
        let demo = try PosixProcessRunner().spawn(
            ProcessRequest(
                try Harness.binary("fleetctl"),
                arguments: ["demo", "--dir", dir, "--until-shown", "--duration", "90s"],
                standardOutput: .capture(), standardError: .appendToFile(stderrPath)))
        let url = try PageArtifacts.announcedURL(in: stderrPath, after: "the dashboard is on ")
        try screenshotDashboard(url)
        let output = demo.collectOutput(deadline: .now + .seconds(120))
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        XCTAssertEqual(output.exit, .terminated(0), stderr)
        let out = output.stdoutText
        XCTAssertTrue(out.contains("[WARN] throttled rate_limit_active — throttled until"), out)
        XCTAssertTrue(out.contains("[OK] throttled rate_limit_active resolved"), out)
        XCTAssertTrue(out.contains("[CRIT] authfail oauth_fail"), out)
        XCTAssertTrue(out.contains("auto-stop authfail (oauth_fail): stopped, confirmed"), out)
        XCTAssertTrue(out.contains("crashloop: agent-runner serve exited (exit 75"), out)
        XCTAssertFalse(out.contains("healthy"), "the healthy host raises nothing: \(out)")
        // The hook ran for the alerts, with the alert's facts.
        let hooks = try String(contentsOfFile: dir + "/hooks.log", encoding: .utf8)
        XCTAssertTrue(hooks.contains("firing critical authfail oauth_fail"), hooks)
        XCTAssertTrue(hooks.contains("resolved warning throttled rate_limit_active"), hooks)
        // The services really did what the table said.
        let throttled = try String(
            contentsOfFile: dir + "/throttled/logs/events-\(Self.month()).jsonl", encoding: .utf8)
        XCTAssertTrue(throttled.contains("\"event\": \"transient_error_recovered\""))
        let crash = try String(contentsOfFile: dir + "/crashloop/logs/events-\(Self.month()).jsonl", encoding: .utf8)
        XCTAssertTrue(crash.contains("\"event\": \"crash_loop\""))
        // Nothing of the demo keeps running.
        let leftovers = ProcessTree.snapshot().filter { entry in
            (ProcessTree.commandLine(of: entry.pid) ?? []).contains { $0.hasPrefix(dir) }
        }
        XCTAssertEqual(leftovers.map(\.pid), [], "processes of the demo still running: \(leftovers)")
    }

    /// The same demo over real ssh (a private sshd on 127.0.0.1, host key checking on).
    func testDemoOverSSH() throws {
        let dir = try Harness.temporaryDirectory(self) + "/demo"
        let result = try Harness.run(
            "fleetctl", ["demo", "--ssh", "--dir", dir, "--until-shown", "--duration", "90s"], timeout: .seconds(150))
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("transport: ssh to 127.0.0.1:"), result.stderr)
        XCTAssertTrue(result.stdout.contains("[CRIT] authfail oauth_fail"), result.stdout)
        XCTAssertTrue(result.stdout.contains("auto-stop authfail (oauth_fail): stopped, confirmed"), result.stdout)
        XCTAssertTrue(result.stdout.contains("[WARN] throttled rate_limit_active"), result.stdout)
        // Every poll went through the demo's sshd.
        let log = try String(contentsOfFile: dir + "/ssh/sshd.log", encoding: .utf8)
        XCTAssertTrue(log.contains("Accepted publickey"), log)
        let leftovers = ProcessTree.snapshot().filter { entry in
            (ProcessTree.commandLine(of: entry.pid) ?? []).contains { $0.hasPrefix(dir) }
        }
        XCTAssertEqual(leftovers.map(\.pid), [], "processes of the demo still running: \(leftovers)")
    }

    /// The overview once an alert fires and a host is throttled (both, when the demo shows
    /// them at once within a few seconds), and the throttled host's page.
    private func screenshotDashboard(_ url: String) throws {
        XCTAssertTrue(url.hasPrefix("http://127.0.0.1:"), url)
        let browser = try PageArtifacts.launchBrowser()
        defer { browser.close() }
        let page = try browser.open(url)
        func count(_ card: String) -> String { "Number(document.querySelector('#card-\(card) .value').textContent)" }
        try page.waitUntil("\(count("alerts")) >= 1 && \(count("throttled")) >= 1", timeout: .seconds(60))
        try? page.waitUntil("\(count("alerts")) >= 2", timeout: .seconds(10))
        XCTAssertEqual(try page.evaluate("document.querySelectorAll('#hosts tbody tr').length"), 4)
        XCTAssertEqual(PageArtifacts.problems(page), [])
        try PageArtifacts.save(page, as: "dashboard-overview", docs: true)
        try page.navigate(url + "host/throttled")
        try page.waitUntil("document.querySelectorAll('#events tbody tr').length >= 3", timeout: .seconds(20))
        _ = try page.evaluate("document.getElementById('fetch-transcript').click()")
        try page.waitUntil("!document.getElementById('transcript').hidden", timeout: .seconds(20))
        XCTAssertEqual(PageArtifacts.problems(page), [])
        try PageArtifacts.save(page, as: "dashboard-host", docs: true)
    }

    static func month() -> String {
        let now = UTCInstant(seconds: Int64(Date().timeIntervalSince1970)).components
        return String(format: "%04d-%02d", Int(now.year), now.month)
    }
}
