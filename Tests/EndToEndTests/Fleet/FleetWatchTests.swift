import FleetCore
import Foundation
import XCTest

/// fleetctl watch end to end: real sshd on loopback, the real `agent-runner` answering peek and
/// stop over it, real `agent-runner serve` with the fake agent, real hooks, and full disks that
/// are real small tmpfs mounts (see FleetFixture and SmallTmpfs).
final class FleetWatchTests: XCTestCase {
    func testOAuthFailingHostIsHookedAutoStoppedAndConfirmed() throws {
        let fleet = try FleetFixture(self, hosts: ["pi1", "pi2"])
        // Round 2 fails auth; later rounds take 2 s, so the 3-round window keeps it while we act.
        let failing = try fleet.project(self, on: "pi1", modes: ["ok", "auth", "slow"])
        let healthy = try fleet.project(self, on: "pi2", modes: ["slow"])
        try fleet.inventory(
            defaults: [
                "[defaults.detectors]", "window = 3", "[defaults.auto_stop]", "on = [\"oauth_fail\"]", "confirm_s = 15",
            ],
            """
            \(FleetFixture.host("pi1", project: failing))
            \(FleetFixture.host("pi2", project: healthy))
            [[hooks]]
            name = "record"
            command = ["\(fleet.hookScript)", "{detector}"]
            on = ["firing", "critical"]
            timeout_s = 10
            """)
        let serveFailing = try failing.startServe()
        let serveHealthy = try healthy.startServe()
        defer {
            _ = serveFailing.terminate(grace: .seconds(5))
            _ = serveHealthy.terminate(grace: .seconds(5))
        }
        let watch = try fleet.fleetctl(["watch", "--json", "--cycles", "25"], timeout: .seconds(60))
        XCTAssertEqual(watch.code, 0, watch.stderr)

        let calls = try fleet.hookCallDocuments()
        XCTAssertEqual(calls.count, 1, "one hook call: \(calls)")
        XCTAssertEqual(calls.first?["host"], "pi1")
        XCTAssertEqual(calls.first?["detector"], "oauth_fail")
        XCTAssertEqual(calls.first?["state"], "firing")
        XCTAssertEqual(calls.first?["severity"], "critical")
        XCTAssertEqual(calls.first?["auto_action"], "stop_service")
        XCTAssertEqual(calls.first?["context"]?["window"], 3)
        XCTAssertEqual(fleet.hookEnvironmentLines(), ["pi1 oauth_fail firing oauth_fail"])

        let events = try fleet.fleetEvents()
        let triggered = events.filter { $0.kind == "monitor_auto_stop_triggered" }
        XCTAssertEqual(triggered.map { $0.payload["host"] }, ["pi1"], events.map(\.raw).joined(separator: "\n"))
        XCTAssertEqual(triggered.first?.payload["confirmed"], true)
        XCTAssertEqual(events.filter { $0.kind == "monitor_auto_stop_failed" }.count, 0)
        XCTAssertNotNil(serveFailing.poll(), "serve on pi1 was stopped")
        XCTAssertNil(serveHealthy.poll(), "pi2 keeps running")
        let lines = watch.stdout.split(separator: "\n").compactMap { try? JSONParser.strict.parse(Array($0.utf8)) }
        XCTAssertTrue(lines.contains { $0["type"] == "auto_stop" && $0["result"] == "confirmed" }, watch.stdout)
        XCTAssertEqual(lines.filter { $0["type"] == "poll" && $0["host"] == "pi2" }.count, 25)
        XCTAssertTrue(try fleet.fleetctl(["peek", "pi1", "--select", "service.active"]).stdout.hasPrefix("false"))
    }

    /// Issue 24: after the operator fixes auth and runs `fleetctl start`, oauth_fail resolves on
    /// the first good round (it used to stay ~10 rounds, `status` exiting 1 all along), while a
    /// good round without a restart does not clear it. The table shows severity and message.
    func testOAuthFailResolvesOnTheFirstGoodRoundAfterAStart() throws {
        let fleet = try FleetFixture(self, hosts: ["pi"])
        let project = try fleet.project(self, on: "pi", modes: ["auth", "auth", "auth", "slow"])
        try fleet.inventory(
            defaults: ["[defaults.detectors]", "window = 3", "[defaults.auto_stop]", "on = []"],
            FleetFixture.host("pi", project: project))
        addTeardownBlock { _ = try? project.run(["kill"]) }
        let serve = try project.startServe()
        defer { _ = serve.terminate(grace: .seconds(5)) }
        func runs() -> [String] {
            ((try? String(contentsOfFile: project.logDir + "/fake-runs", encoding: .utf8)) ?? "")
                .split(separator: "\n").map { String($0.prefix { $0 != " " }) }
        }
        AgentProject.wait("three failed rounds and the fourth running") { runs().count >= 4 }
        let failing = try fleet.fleetctl(["status", "pi"])
        XCTAssertEqual(failing.code, 1, failing.stdout + failing.stderr)
        XCTAssertTrue(failing.stdout.contains("[CRIT] oauth_fail: 3/3 recent rounds failed auth"), failing.stdout)

        // The slow round ends well, but nobody restarted anything: still failing.
        let stop = try fleet.fleetctl(["stop", "pi"], timeout: .seconds(60))
        XCTAssertEqual(stop.code, 0, stop.stderr)
        AgentProject.wait("serve to exit") { serve.poll() != nil }
        XCTAssertEqual(try fleet.fleetctl(["status", "pi"]).code, 1, "2 of the last 3 rounds failed auth")

        // The fix, then a start: the first good round after it resolves the alert.
        try project.setModes(["ok"])
        let start = try fleet.fleetctl(["start", "pi"], timeout: .seconds(30))
        XCTAssertEqual(start.code, 0, start.stderr)
        AgentProject.wait("a good round after the start", timeout: 30) { runs().count >= 5 }
        var healthy = try fleet.fleetctl(["status", "pi"])
        try AgentProject.wait("status to see the finished round", timeout: 30) {
            healthy = try fleet.fleetctl(["status", "pi"])
            return healthy.code == 0
        }
        XCTAssertEqual(healthy.code, 0, healthy.stdout + healthy.stderr)
        XCTAssertFalse(healthy.stdout.contains("oauth_fail"), healthy.stdout)
    }

    func testDiskCriticalHostOnAFullTmpfsIsStopped() throws {
        let fleet = try FleetFixture(self, hosts: ["pi"])
        // The project and its log dir on a small tmpfs filled past 95 %: serve's host samples
        // (statvfs of the log dir) report it, and so does peek.
        let disk = try SmallTmpfs(self)
        let project = try fleet.project(self, on: "pi", modes: ["slow"], root: disk.path)
        try disk.fill(pastPercent: 95)
        try fleet.inventory(
            defaults: ["[defaults.auto_stop]", "confirm_s = 15"],
            """
            \(FleetFixture.host("pi", project: project))
            [[hooks]]
            command = ["\(fleet.hookScript)", "{host}"]
            on = ["disk_critical"]
            """)
        let serve = try project.startServe()
        defer { _ = serve.terminate(grace: .seconds(5)) }
        project.waitForHostSample()
        let status = try fleet.fleetctl(["status", "--json"])
        XCTAssertEqual(status.code, 1, "a critical alert makes the host unhealthy: \(status.stdout)")
        let row = try JSONParser.strict.parse(Array(status.stdout.utf8))
        XCTAssertEqual(row["alerts"], ["disk_critical"])
        XCTAssertGreaterThanOrEqual(row["disk_used_pct"]?.doubleValue ?? 0, 95)
        XCTAssertEqual(row["reachable"], true)
        XCTAssertEqual(row["version"], .string(BuildInfo.version))

        let watch = try fleet.fleetctl(["watch", "--cycles", "8"], timeout: .seconds(60))
        XCTAssertEqual(watch.code, 0, watch.stderr)
        XCTAssertTrue(watch.stdout.contains("[CRIT] pi disk_critical"), watch.stdout)
        XCTAssertTrue(watch.stdout.contains("auto-stop pi (disk_critical): stopped, confirmed"), watch.stdout)
        XCTAssertEqual(try fleet.hookCallDocuments().map { $0["detector"] }, ["disk_critical"])
        XCTAssertEqual(try fleet.fleetEvents().filter { $0.kind == "monitor_auto_stop_triggered" }.count, 1)
        XCTAssertNotNil(serve.poll())
    }

    /// The real `agent-runner stop` waits until serve has finished its round, which can take
    /// as long as `round_timeout_s`. The auto-stop still answers within `confirm_s`: unconfirmed
    /// while the round runs on, with the stop left requested, so serve exits when its round ends.
    func testAutoStopOfAHostInALongRoundIsUnconfirmedAfterConfirmSAndServeStopsAfterItsRound() throws {
        let fleet = try FleetFixture(self, hosts: ["pi"])
        let disk = try SmallTmpfs(self)
        let project = try fleet.project(self, on: "pi", modes: ["slow"], root: disk.path)
        try disk.fill(pastPercent: 95)
        try fleet.inventory(
            defaults: ["[defaults.auto_stop]", "confirm_s = 3"], FleetFixture.host("pi", project: project))
        let serve = try project.startServe(environment: ["FAKE_SLEEP": "15"])
        defer { _ = serve.terminate(grace: .seconds(5)) }
        project.waitForHostSample()
        AgentProject.wait("the round in flight") {
            FileManager.default.fileExists(atPath: project.logDir + "/agent.pid")
        }

        let watch = try fleet.startFleetctl(["watch", "--json"])
        defer { _ = watch.terminate(grace: .seconds(5)) }
        func events() -> [Event] { (try? fleet.fleetEvents()) ?? [] }
        let stopKinds: Set = ["monitor_auto_stop_triggered", "monitor_auto_stop_failed"]
        AgentProject.wait("the auto-stop's outcome", timeout: 30) { events().contains { stopKinds.contains($0.kind) } }
        let emitted = try XCTUnwrap(
            events().first { $0.kind == "monitor_alert_emitted" && $0.payload["detector"] == "disk_critical" })
        let outcome = try XCTUnwrap(events().first { stopKinds.contains($0.kind) })
        XCTAssertEqual(outcome.kind, "monitor_auto_stop_failed", outcome.raw)
        let error = outcome.payload["error"]?.stringValue ?? ""
        XCTAssertTrue(
            error.hasPrefix(
                "stop did not take effect within 3 s: the service still reports active (`agent-runner stop` had not returned"
            ), outcome.raw)
        let waited = try XCTUnwrap(outcome.instant).seconds - (try XCTUnwrap(emitted.instant).seconds)
        XCTAssertLessThanOrEqual(
            waited, 6,
            "the outcome came about confirm_s after the alert, not at the round's end: \(emitted.raw) \(outcome.raw)")
        XCTAssertNil(serve.poll(), "serve is still finishing its round")

        AgentProject.wait("serve to exit at its round's end", timeout: 30) { serve.poll() != nil }
        XCTAssertEqual(serve.poll(), .terminated(0))
        let served = try project.events()
        XCTAssertEqual(
            served.last { $0.kind == "agent_exit" }?.payload["exit_code"], .int(0), "the round ran to its end")
        XCTAssertEqual(served.last?.kind, "serve_stopped")
        XCTAssertEqual(served.last?.payload["reason"], .string("signal"))
        let remoteStop = [fleet.agentRunner, "stop", "--config", project.dir + "/agent-runner.toml"]
        AgentProject.wait("the remote `agent-runner stop` to end with serve") {
            !ProcessTree.snapshot().contains { !$0.isZombie && ProcessTree.commandLine(of: $0.pid) == remoteStop }
        }
        _ = try watch.signal(SIGTERM)
        let output = watch.collectOutput(deadline: .now + .seconds(20))
        XCTAssertEqual(output.exit, .terminated(0), output.stderrText)
        XCTAssertEqual(events().filter { stopKinds.contains($0.kind) }.count, 1, "one auto-stop per episode")
    }

    func testKilledSSHDGivesBlipsThenOneUnreachableAlertThenOneResolved() throws {
        let fleet = try FleetFixture(self, hosts: ["pi"])
        let project = try fleet.project(self, on: "pi")
        try fleet.inventory(
            defaults: ["remote_failure_tolerance_s = 2"],
            """
            \(FleetFixture.host("pi", project: project))
            [[hooks]]
            command = ["\(fleet.hookScript)", "{state}"]
            """)
        let watch = try fleet.startFleetctl(["watch", "--json"])
        defer { _ = watch.terminate(grace: .seconds(5)) }
        func events() -> [Event] { (try? fleet.fleetEvents()) ?? [] }
        AgentProject.wait("the first poll") { events().contains { $0.kind == "monitor_started" } }
        usleep(500_000)
        fleet.sshd.stop()
        AgentProject.wait("the give-up", timeout: 15) { events().contains { $0.kind == "monitor_remote_giveup" } }
        usleep(1_000_000)
        try fleet.sshd.start()
        AgentProject.wait("the resolved notice", timeout: 15) { fleet.hookEnvironmentLines().count >= 2 }
        usleep(1_000_000)
        _ = try watch.signal(SIGTERM)
        let output = watch.collectOutput(deadline: .now + .seconds(20))
        XCTAssertEqual(output.exit, .terminated(0), output.stderrText)
        let kinds = events().map(\.kind)
        XCTAssertGreaterThanOrEqual(kinds.filter { $0 == "monitor_remote_blip" }.count, 1)
        XCTAssertEqual(kinds.filter { $0 == "monitor_remote_giveup" }.count, 1)
        let blipIndex = try XCTUnwrap(kinds.firstIndex(of: "monitor_remote_blip"))
        XCTAssertLessThan(blipIndex, try XCTUnwrap(kinds.firstIndex(of: "monitor_remote_giveup")), "blips come first")
        XCTAssertEqual(
            fleet.hookEnvironmentLines(),
            ["pi monitor_remote_giveup firing firing", "pi monitor_remote_giveup resolved resolved"])
    }

    func testSilencedHostFiresNoHookAndStateSurvivesARestart() throws {
        let fleet = try FleetFixture(self, hosts: ["pi1", "pi2"])
        // Two idle projects on one full tmpfs; a `serve --once` round in each records the full disk.
        let disk = try SmallTmpfs(self)
        let full1 = try fleet.project(self, on: "pi1", root: disk.path + "/1")
        let full2 = try fleet.project(self, on: "pi2", root: disk.path + "/2")
        try disk.fill(pastPercent: 95)
        try full1.recordHostSample()
        try full2.recordHostSample()
        try fleet.inventory(
            defaults: ["[defaults.auto_stop]", "enabled = false"],
            """
            \(FleetFixture.host("pi1", project: full1))
            \(FleetFixture.host("pi2", project: full2))
            [[hooks]]
            command = ["\(fleet.hookScript)", "{host}"]
            """)
        let silence = try fleet.fleetctl([
            "silence", "pi2", "--detector", "disk_critical", "--for", "1h", "--reason", "disk swap tonight",
        ])
        XCTAssertEqual(silence.code, 0, silence.stderr)
        let id = silence.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(try fleet.fleetctl(["silences"]).stdout.contains(id))

        XCTAssertEqual(try fleet.fleetctl(["watch", "--once"]).code, 0)
        XCTAssertEqual(fleet.hookEnvironmentLines(), ["pi1 disk_critical firing pi1"])
        let emitted = try fleet.fleetEvents().filter { $0.kind == "monitor_alert_emitted" }
        XCTAssertEqual(emitted.first { $0.payload["host"] == "pi2" }?.payload["silenced_by"], .string(id))

        // A restart of fleetctl: the firing alerts are restored, nothing is notified twice.
        XCTAssertEqual(try fleet.fleetctl(["watch", "--cycles", "2"]).code, 0)
        XCTAssertEqual(fleet.hookEnvironmentLines(), ["pi1 disk_critical firing pi1"])
        XCTAssertEqual(try fleet.fleetctl(["unsilence", id]).code, 0)
        try disk.drain()
        try full1.recordHostSample()
        try full2.recordHostSample()
        XCTAssertEqual(try fleet.fleetctl(["watch", "--once"]).code, 0)
        let lines = fleet.hookEnvironmentLines()
        XCTAssertEqual(lines.first, "pi1 disk_critical firing pi1")
        XCTAssertEqual(Set(lines.dropFirst()), ["pi1 disk_critical resolved pi1", "pi2 disk_critical resolved pi2"])
        XCTAssertEqual(lines.count, 3)
    }

    func testHangingHookIsKilledAtItsTimeoutWhilePollingGoesOn() throws {
        let fleet = try FleetFixture(self, hosts: ["pi"])
        let disk = try SmallTmpfs(self)
        let project = try fleet.project(self, on: "pi", root: disk.path)
        try disk.fill(pastPercent: 95)
        try project.recordHostSample()
        let marker = "hookhang-\(getpid())"
        try fleet.inventory(
            defaults: ["[defaults.auto_stop]", "enabled = false"],
            """
            \(FleetFixture.host("pi", project: project))
            [[hooks]]
            name = "hangs"
            command = ["sh", "-c", "sleep 3009 & exec sleep 3010", "\(marker)"]
            timeout_s = 1
            """)
        let started = ContinuousClock.now
        let watch = try fleet.fleetctl(["watch", "--json", "--cycles", "8"])
        XCTAssertEqual(watch.code, 0, watch.stderr)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(15))
        let polls = watch.stdout.split(separator: "\n").filter { $0.contains("\"type\":\"poll\"") }
        XCTAssertEqual(polls.count, 8, "polling went on while the hook hung")
        let failed = try fleet.fleetEvents().filter { $0.kind == "hook_failed" }
        XCTAssertEqual(failed.count, 1)
        XCTAssertEqual(failed.first?.payload["timed_out"], true)
        XCTAssertEqual(failed.first?.payload["hook"], "hangs")
        XCTAssertTrue(watch.stderr.contains("hook hangs for pi: killed after its timeout"), watch.stderr)
        let survivors = ProcessTree.snapshot().filter { entry in
            !entry.isZombie && (ProcessTree.commandLine(of: entry.pid) ?? []).contains { $0 == "3009" || $0 == "3010" }
        }
        XCTAssertEqual(survivors.count, 0)
    }
}
