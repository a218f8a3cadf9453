import Detectors
import FleetCore
import Foundation
import Monitoring
import TestSupport
import XCTest

@testable import FleetControl

final class HookTests: XCTestCase {
    let alert = Alert(
        detector: "oauth_fail", severity: .critical,
        message: "3/3 recent rounds failed auth; $(touch /tmp/pwned-hook) `id`",
        context: ["matches": 3], requestsStop: true)

    func notification(_ state: AlertNotification.State = .firing) -> AlertNotification {
        AlertNotification(
            host: "pi", alert: alert, state: state, since: Peek.time(0), at: Peek.time(1), autoAction: "stop_service")
    }

    func hook(_ command: [String], timeout: Int = 5) -> Inventory.AlertHook {
        Inventory.AlertHook(
            name: "test", command: command, on: [.firing, .resolved], minSeverity: .warning, hosts: "all",
            timeoutS: timeout)
    }

    func testInvocationIsDataWithWholeWordPlaceholders() throws {
        let invocation = HookInvocation(
            hook: hook(["./notify", "{host}", "{message}", "--", "{state}"]), notification: notification())
        XCTAssertEqual(invocation.argv, ["./notify", "pi", alert.message, "--", "firing"])
        XCTAssertEqual(invocation.environment["FLEET_HOST"], "pi")
        XCTAssertEqual(invocation.environment["FLEET_DETECTOR"], "oauth_fail")
        XCTAssertEqual(invocation.environment["FLEET_SEVERITY"], "critical")
        XCTAssertEqual(invocation.environment["FLEET_STATE"], "firing")
        XCTAssertEqual(invocation.environment["FLEET_AUTO_ACTION"], "stop_service")
        let stdin = try JSONParser.strict.parse(invocation.stdin)
        XCTAssertEqual(stdin["host"], "pi")
        XCTAssertEqual(stdin["detector"], "oauth_fail")
        XCTAssertEqual(stdin["context"]?["matches"], 3)
        XCTAssertEqual(invocation.timeout, .seconds(5))
    }

    func testRoutesFilterStateSeverityDetectorAndHosts() {
        var route = HookRoute(hook: hook(["x"]), hosts: ["pi"])
        XCTAssertTrue(route.matches(notification()))
        route.hosts = ["other"]
        XCTAssertFalse(route.matches(notification()))
        route.hosts = ["pi"]
        route.hook.on = [.resolved]
        XCTAssertFalse(route.matches(notification()))
        XCTAssertTrue(route.matches(notification(.resolved)))
        route.hook.on = [.firing]
        route.hook.detectors = ["disk_critical"]
        XCTAssertFalse(route.matches(notification()))
        route.hook.detectors = ["oauth_fail"]
        route.hook.severities = [.warning]
        XCTAssertFalse(route.matches(notification()))
        route.hook.severities = [.critical]
        XCTAssertTrue(route.matches(notification()))
    }

    func testHookGetsJSONOnStdinAndEnvironmentWithoutAShell() throws {
        let dir = NSTemporaryDirectory() + "hook-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = dir + "/hook.sh"
        try
            "#!/bin/sh\ncat > \"$1/stdin.json\"\nprintf '%s|%s|%s' \"$FLEET_HOST\" \"$FLEET_STATE\" \"$2\" > \"$1/env.txt\"\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let results = ResultBox()
        let dispatcher = HookDispatcher(eventLog: nil) { results.add($0) }
        dispatcher.dispatch(
            HookInvocation(hook: hook([script, dir, "{message}"]), notification: notification()), for: notification())
        dispatcher.finish()
        XCTAssertEqual(results.all.first?.error, nil)
        let stdin = try JSONParser.strict.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/stdin.json"))))
        XCTAssertEqual(stdin["message"]?.stringValue, alert.message)
        XCTAssertEqual(try String(contentsOfFile: dir + "/env.txt", encoding: .utf8), "pi|firing|" + alert.message)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: "/tmp/pwned-hook"), "the message was never run by a shell")
    }

    /// Generated hostile messages (combining-mark floods, controls, bidi, invalid UTF-8, secrets)
    /// reach a hook's argv and environment redacted, with no unsafe scalar and within
    /// ``HookInvocation/maxValueBytes``, far below the kernel's 128 KiB per-argument limit.
    func testHostileMessagesAreBoundedSanitizedAndRedacted() {
        let generator = HostileText()
        for round in 0..<30 {
            let marks = round % 10 == 0 ? 300_000 + generator.random.below(100_000) : generator.random.below(2000)
            let flood = "x" + String(repeating: "\u{0301}", count: marks)
            let text = generator.string() + flood + " ghp_abcdefghijklmnopqrstuvwx123 " + generator.string()
            let hostile = AlertNotification(
                host: "pi",
                alert: Alert(
                    detector: "anomaly_repetitive_active", severity: .warning, message: text,
                    key: marks > 10_000 ? nil : text),
                state: .firing, since: Peek.time(0), at: Peek.time(1), autoAction: "none")
            let invocation = HookInvocation(hook: hook(["./notify", "{message}"]), notification: hostile)
            let hint = generator.random.replayHint
            for value in [invocation.argv[1]] + invocation.environment.values {
                XCTAssertLessThanOrEqual(value.utf8.count, HookInvocation.maxValueBytes, hint)
                XCTAssertFalse(value.unicodeScalars.contains { TerminalText.isUnsafe($0) }, hint)
                XCTAssertFalse(value.contains("abcdefghijklmnop"), hint)
            }
            XCTAssertFalse(String(decoding: invocation.stdin, as: UTF8.self).contains("abcdefghijklmnop"), hint)
        }
    }

    /// One letter and 300 000 combining marks (a single Character of 600 KB) as the message:
    /// the hook still runs (no E2BIG) and gets the bounded text in `$FLEET_MESSAGE` and `$2`.
    func testAHugeSingleCharacterMessageStillRunsTheHook() throws {
        let dir = NSTemporaryDirectory() + "hook-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = dir + "/hook.sh"
        try "#!/bin/sh\nprintf '%s' \"$FLEET_MESSAGE\" > \"$1/env.txt\"\nprintf '%s' \"$2\" > \"$1/arg.txt\"\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let message = "x" + String(repeating: "\u{0301}", count: 300_000)
        let hostile = AlertNotification(
            host: "pi", alert: Alert(detector: "anomaly_repetitive_active", severity: .warning, message: message),
            state: .firing, since: Peek.time(0), at: Peek.time(1), autoAction: "none")
        let results = ResultBox()
        let dispatcher = HookDispatcher(eventLog: nil) { results.add($0) }
        dispatcher.dispatch(
            HookInvocation(hook: hook([script, dir, "{message}"]), notification: hostile), for: hostile)
        dispatcher.finish()
        XCTAssertEqual(results.all.first?.error, nil)
        let received = try Data(contentsOf: URL(fileURLWithPath: dir + "/env.txt"))
        XCTAssertGreaterThan(received.count, 1000)
        XCTAssertLessThanOrEqual(received.count, HookInvocation.maxValueBytes)
        XCTAssertEqual(received, try Data(contentsOf: URL(fileURLWithPath: dir + "/arg.txt")))
    }

    func testHangingHookIsKilledWithItsGroupAndRecorded() throws {
        let dir = NSTemporaryDirectory() + "hook-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = EventLogWriter(directory: dir, prefix: "fleet-events")
        let results = ResultBox()
        let dispatcher = HookDispatcher(eventLog: log) { results.add($0) }
        let marker = "hookhang\(getpid())"
        let started = ContinuousClock.now
        dispatcher.dispatch(
            HookInvocation(
                hook: hook(["sh", "-c", "sleep 3007 & exec sleep 3008", marker], timeout: 1),
                notification: notification()),
            for: notification())
        dispatcher.finish()
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        XCTAssertEqual(results.all.first?.timedOut, true)
        let events = try EventLogReader(directory: dir, prefix: "fleet-events").tail(limit: 10)
        XCTAssertEqual(events.map(\.kind), ["hook_failed"])
        XCTAssertEqual(events.first?.payload["timed_out"], true)
        XCTAssertEqual(events.first?.payload["host"], "pi")
        usleep(200_000)
        let survivors = ProcessTree.snapshot().filter { entry in
            !entry.isZombie && (ProcessTree.commandLine(of: entry.pid) ?? []).contains { $0 == "3007" || $0 == "3008" }
                && entry.processGroup != getpgrp()
        }
        XCTAssertEqual(
            survivors.count, 0,
            "the background sleep of the hook's group was killed too: \(survivors.map { ProcessTree.commandLine(of: $0.pid) ?? [] })"
        )
    }

    func testFullQueueDropsAndRecords() throws {
        let results = ResultBox()
        let dispatcher = HookDispatcher(threads: 1, queueLimit: 1, eventLog: nil) { results.add($0) }
        let slow = HookInvocation(hook: hook(["sleep", "0.3"]), notification: notification())
        var accepted = 0
        for _ in 0..<4 where dispatcher.dispatch(slow, for: notification()) { accepted += 1 }
        dispatcher.finish()
        XCTAssertLessThan(accepted, 4)
        XCTAssertEqual(results.all.filter { $0.error?.contains("hooks are waiting") ?? false }.count, 4 - accepted)
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [HookDispatcher.Result] = []
    func add(_ item: HookDispatcher.Result) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }
    var all: [HookDispatcher.Result] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

/// Hook runs for one host keep the notifications' order; the fix hint reaches hooks.
final class HookOrderAndHintTests: XCTestCase {
    let hinted = Alert(
        detector: "oauth_fail", severity: .critical, message: "10/10 recent rounds failed auth",
        context: ["hint": "run `claude login` on the host"], requestsStop: true)

    func testRunsOfOneHookForOneHostFollowNotificationOrder() throws {
        let dir = NSTemporaryDirectory() + "hook-order-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/log"
        // A resolve that takes longer to deliver than the firing after it: on parallel threads
        // the firing would be logged first.
        let hook = Inventory.AlertHook(
            name: "log",
            command: [
                "sh", "-c",
                "if [ \"$FLEET_STATE\" = resolved ]; then sleep 0.3; fi; echo \"$FLEET_STATE $FLEET_KEY\" >> \"$0\"",
                log,
            ], on: [.firing, .resolved], minSeverity: .warning, hosts: "all", timeoutS: 5)
        let results = ResultBox()
        let dispatcher = HookDispatcher(threads: 4, eventLog: nil) { results.add($0) }
        let states: [AlertNotification.State] = [.firing, .resolved, .firing, .resolved, .firing]
        for (index, state) in states.enumerated() {
            var alert = hinted
            alert.key = "k\(index)"
            let notification = AlertNotification(
                host: "pi", alert: alert, state: state, since: Peek.time(0), at: Peek.time(Double(index)))
            XCTAssertTrue(
                dispatcher.dispatch(HookInvocation(hook: hook, notification: notification), for: notification))
        }
        dispatcher.finish()
        XCTAssertEqual(results.all.compactMap(\.error), [])
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, ["firing k0", "resolved k1", "firing k2", "resolved k3", "firing k4"])
    }

    func testHintReachesMessageEnvironmentAndPlaceholder() {
        let hook = Inventory.AlertHook(
            name: "page", command: ["notify", "{message}", "{hint}"], on: [.firing], minSeverity: .warning,
            hosts: "all", timeoutS: 5)
        let notification = AlertNotification(
            host: "pi", alert: hinted, state: .firing, since: Peek.time(0), at: Peek.time(0))
        let invocation = HookInvocation(hook: hook, notification: notification)
        XCTAssertEqual(
            invocation.argv,
            [
                "notify", "10/10 recent rounds failed auth; hint: run `claude login` on the host",
                "run `claude login` on the host",
            ])
        XCTAssertEqual(
            invocation.environment["FLEET_MESSAGE"],
            "10/10 recent rounds failed auth; hint: run `claude login` on the host")
        XCTAssertEqual(invocation.environment["FLEET_HINT"], "run `claude login` on the host")
        let posted = AlertmanagerAlert(notification: notification, group: "")
        XCTAssertEqual(posted.annotations.first { $0.0 == "hint" }?.1, "run `claude login` on the host")
        XCTAssertEqual(
            AlertFormatter(.fleet).line(notification),
            "[CRIT] pi oauth_fail — 10/10 recent rounds failed auth; hint: run `claude login` on the host")
        var plain = hinted
        plain.context = [:]
        let bare = AlertNotification(host: "pi", alert: plain, state: .firing, since: Peek.time(0), at: Peek.time(0))
        XCTAssertEqual(HookInvocation(hook: hook, notification: bare).environment["FLEET_MESSAGE"], plain.message)
        XCTAssertEqual(AlertFormatter(.fleet).line(bare), "[CRIT] pi oauth_fail — 10/10 recent rounds failed auth")
    }
}
