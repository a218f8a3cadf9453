import Detectors
import FleetCore
import Monitoring
import XCTest

@testable import FleetControl

/// fleetctl's typed events write exactly the bytes the inline payloads wrote before: each
/// expected object below is the literal the call site used to build, with sample values.
final class FleetEventsTests: XCTestCase {
    private func assertBytes(
        _ event: some TypedEvent, _ old: JSONObject,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let writer = JSONWriter(style: .python)
        XCTAssertEqual(writer.string(.object(event.payload)), writer.string(.object(old)), file: file, line: line)
    }

    func testRolloutStartedNewAndResumed() {
        let plan = RolloutStarted.Plan(
            artifact: "/builds/agent-runner-{arch}", stages: ["canary", "batch 1"],
            hosts: ["pi", "a", "b"], journal: "/state/rollouts/r1.json")
        let old: JSONObject = ["rollout": "r1"]
        var fresh = old
        for (key, value) in [
            ("target", JSONValue.string("0.2.0")), ("artifact", "/builds/agent-runner-{arch}"),
            ("stages", .array(["canary", "batch 1"])), ("hosts", .array(["pi", "a", "b"])),
            ("journal", "/state/rollouts/r1.json"),
        ] { fresh[key] = value }
        assertBytes(RolloutStarted(rollout: "r1", target: "0.2.0", plan: plan), fresh)
        var resumed = old
        for (key, value) in [("target", JSONValue.string("0.2.0")), ("resumed", true)] { resumed[key] = value }
        assertBytes(RolloutStarted(rollout: "r1", target: "0.2.0", plan: nil), resumed)
    }

    func testStageHostRollbackAndFinish() {
        assertBytes(
            RolloutStagePassed(rollout: "r1", stage: "canary", hosts: ["pi"]),
            ["rollout": "r1", "stage": "canary", "hosts": .array(["pi"])])
        assertBytes(
            RolloutHostFailed(rollout: "r1", host: "a", phase: "health gate", reason: "service stopped"),
            ["rollout": "r1", "host": "a", "phase": "health gate", "reason": "service stopped"])
        assertBytes(
            RolloutRolledBack(rollout: "r1", host: "a", ok: false, note: "could not be reached"),
            ["rollout": "r1", "host": "a", "ok": false, "note": "could not be reached"])
        var journal = RolloutJournal(
            id: "r1",
            plan: RolloutPlanner.plan(
                candidates: ["pi", "a", "b", "c"].map { RolloutCandidate(name: $0, version: "0.1.0", reachable: true) },
                target: "0.2.0", canary: ["pi"], batch: .count(5)), createdAt: "2026-11-25T00:00:00.000Z")
        journal.record("pi", .rolledBack)
        journal.record("a", .failed)
        journal.record("b", .rolledBack)
        journal.status = .failed
        assertBytes(
            RolloutFinished(journal),
            [
                "rollout": "r1", "status": "failed", "target": "0.2.0",
                "hosts": ["failed": 1, "pending": 1, "rolled_back": 2],
            ])
    }

    func testCommandHookFailed() {
        let hook = Inventory.AlertHook(name: "pager", command: ["/bin/pager", "{host}"])
        let alert = Alert(detector: "oauth_fail", severity: .critical, message: "10/10 rounds failed auth")
        let notification = AlertNotification(
            host: "pi", alert: alert, state: .firing, since: UTCInstant(seconds: 1),
            at: UTCInstant(seconds: 2))
        let invocation = HookInvocation(hook: hook, notification: notification)
        let exited = HookDispatcher.Result(
            invocation: invocation, host: "pi", exit: .terminated(3), timedOut: false,
            error: "exited with 3", outputTail: "boom", duration: .seconds(1))
        assertBytes(
            HookFailed(exited, notification: notification),
            [
                "hook": "pager", "host": "pi", "detector": "oauth_fail", "state": "firing", "error": "exited with 3",
                "timed_out": false, "output_tail": "boom", "exit_code": 3,
            ])
        var killed = exited
        killed.exit = .signalled(9)
        killed.timedOut = true
        assertBytes(
            HookFailed(killed, notification: notification),
            [
                "hook": "pager", "host": "pi", "detector": "oauth_fail", "state": "firing", "error": "exited with 3",
                "timed_out": true, "output_tail": "boom", "exit_code": .null,
            ])
    }

    func testAlertmanagerHookFailed() {
        let alert = Alert(detector: "disk_critical", severity: .critical, message: "disk 97%")
        let firing = AlertNotification(
            host: "pi", alert: alert, state: .firing, since: UTCInstant(seconds: 1),
            at: UTCInstant(seconds: 2))
        var resolved = firing
        resolved.host = "nas"
        resolved.state = .resolved
        let alerts = [
            AlertmanagerAlert(notification: firing, group: "edge"),
            AlertmanagerAlert(notification: resolved, group: ""),
            AlertmanagerAlert(notification: firing, group: "edge"),
        ]
        let result = AlertmanagerDispatcher.Result(
            hook: "am", alerts: alerts, attempts: 4,
            error: "HTTP 503 (4 attempts)")
        assertBytes(
            AlertmanagerHookFailed(result, url: "http://127.0.0.1:9093/api/v2/alerts"),
            [
                "hook": "am", "kind": "alertmanager", "url": "http://127.0.0.1:9093/api/v2/alerts",
                "host": "nas,pi", "detector": "disk_critical", "state": "firing,resolved", "alerts": 3,
                "attempts": 4, "error": "HTTP 503 (4 attempts)",
            ])
    }

    func testEveryFleetEventIsListedOnceWithItsKind() {
        XCTAssertEqual(
            FleetEvents.all.map { $0.kind.rawValue },
            [
                "rollout_started", "rollout_stage_passed", "rollout_host_failed", "rollout_rolled_back",
                "rollout_finished",
                "hook_failed", "hook_failed",
            ])
        XCTAssertEqual(
            RolloutStarted.schema.payloadText,
            "`rollout:str`, `target:str`, `artifact:str?`, `stages:[str]?`, `hosts:[str]?`, `journal:str?`, "
                + "`resumed:bool?`")
    }
}
