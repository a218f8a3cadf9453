import Detectors
import FleetCore
import Monitoring
import TestSupport
import XCTest

@testable import FleetControl

final class AlertmanagerTests: XCTestCase {
    private func notification(
        _ state: AlertNotification.State, detector: String = "disk_critical", key: String? = nil
    ) -> AlertNotification {
        let alert = Alert(detector: detector, severity: .critical, message: "disk 97% used", key: key)
        return AlertNotification(
            host: "pi", alert: alert, state: state, since: Peek.time(0), at: Peek.time(90), autoAction: "stop_service")
    }

    func testPayloadOfFiringAndResolved() {
        let firing = AlertmanagerAlert(notification: notification(.firing), group: "edge")
        XCTAssertEqual(
            JSONWriter(style: .compact).string(firing.json()),
            #"{"labels":{"alertname":"disk_critical","host":"pi","detector":"disk_critical","severity":"critical","group":"edge"},"#
                + #""annotations":{"summary":"pi: disk_critical (critical)","description":"disk 97% used","auto_action":"stop_service"},"#
                + #""startsAt":"\#(EventTimestamp.format(Peek.time(0)))"}"#)
        let resolved = AlertmanagerAlert(notification: notification(.resolved), group: "edge")
        XCTAssertEqual(resolved.json()["endsAt"]?.stringValue, EventTimestamp.format(Peek.time(90)))
        XCTAssertEqual(resolved.identity, firing.identity)
        let keyed = AlertmanagerAlert(
            notification: notification(.firing, detector: "disk_warning", key: "disk_warning:/data"), group: "")
        XCTAssertEqual(keyed.labels.last?.1, "disk_warning:/data")
        XCTAssertEqual(String(decoding: AlertmanagerAlert.body([firing]).prefix(2), as: UTF8.self), "[{")
        XCTAssertEqual(AlertmanagerAlert.endpoint("http://am:9093/"), "http://am:9093/api/v2/alerts")
        XCTAssertEqual(AlertmanagerAlert.endpoint("http://am:9093/api/v2/alerts"), "http://am:9093/api/v2/alerts")
    }

    func testOutboxResendsWhatFires() {
        var outbox = AlertmanagerOutbox(resendS: 60)
        XCTAssertEqual(outbox.resendDue(now: 0), [])
        _ = outbox.apply(AlertmanagerAlert(notification: notification(.firing), group: ""))
        XCTAssertEqual(outbox.resendDue(now: 30), [])
        XCTAssertEqual(outbox.secondsUntilResend(now: 30), 30)
        XCTAssertEqual(outbox.resendDue(now: 60).count, 1)
        _ = outbox.apply(AlertmanagerAlert(notification: notification(.resolved), group: ""))
        XCTAssertEqual(outbox.resendDue(now: 200), [])
        XCTAssertTrue(outbox.firing.isEmpty)
    }

    func testRetrySchedule() {
        XCTAssertEqual(AlertmanagerRetry().delaysS, [1, 2, 4])
        XCTAssertEqual(AlertmanagerRetry(attempts: 6, initialS: 1, maxS: 8).delaysS, [1, 2, 4, 8, 8])
        XCTAssertEqual(AlertmanagerRetry(attempts: 1).delaysS, [])
        XCTAssertTrue(AlertmanagerRetry.isRetryable(status: 503))
        XCTAssertTrue(AlertmanagerRetry.isRetryable(status: 429))
        XCTAssertFalse(AlertmanagerRetry.isRetryable(status: 400))
    }

    /// Posts that fail twice then succeed, recorded by a fake transport.
    private final class FakeTransport: @unchecked Sendable {
        let lock = ConditionLock()
        var statuses: [Int]
        var bodies: [String] = []
        init(_ statuses: [Int]) { self.statuses = statuses }
        func post(_ url: String, _ body: [UInt8]) -> Int {
            lock.withLock { () -> Int in
                bodies.append(String(decoding: body, as: UTF8.self))
                return statuses.isEmpty ? 200 : statuses.removeFirst()
            }
        }
    }

    private final class Results: @unchecked Sendable {
        let lock = ConditionLock()
        var items: [AlertmanagerDispatcher.Result] = []
        func add(_ result: AlertmanagerDispatcher.Result) { lock.withLock { items.append(result) } }
        func wait(for count: Int) -> [AlertmanagerDispatcher.Result] {
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                let current = lock.withLock { items }
                if current.count >= count { return current }
                usleep(10_000)
            }
            return lock.withLock { items }
        }
    }

    private final class Gate: @unchecked Sendable {
        private let lock = ConditionLock()
        private var opened = false
        var isOpen: Bool { lock.withLock { opened } }
        func open() { lock.withLock { opened = true } }
    }

    private func hook() -> Inventory.AlertHook {
        Inventory.AlertHook(name: "am", command: [], alertmanagerURL: "http://am:9093")
    }

    func testDispatcherRetriesThenDelivers() {
        let transport = FakeTransport([502, 503])
        let results = Results()
        let dispatcher = AlertmanagerDispatcher(
            hook: hook(), groups: ["pi": "edge"], eventLog: nil,
            retry: AlertmanagerRetry(attempts: 4, initialS: 0.01, maxS: 0.02),
            post: { url, body, _ throws(HTTPError) in transport.post(url, body) }, onResult: results.add)
        dispatcher.enqueue(notification(.firing))
        let done = results.wait(for: 1)
        dispatcher.finish()
        XCTAssertEqual(done.first?.attempts, 3)
        XCTAssertNil(done.first?.error)
        XCTAssertEqual(transport.bodies.count, 3)
        XCTAssertTrue(transport.bodies[0].contains(#""group":"edge""#))
    }

    func testDispatcherGivesUpAndRecordsTheFailure() throws {
        let dir = NSTemporaryDirectory() + "am-" + String(UInt64.random(in: 0...UInt64.max))
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = EventLogWriter(directory: dir, prefix: "fleet-events")
        let transport = FakeTransport([500, 500, 500, 400])
        let results = Results()
        let dispatcher = AlertmanagerDispatcher(
            hook: hook(), groups: [:], eventLog: log, retry: AlertmanagerRetry(attempts: 3, initialS: 0.01, maxS: 0.01),
            post: { url, body, _ throws(HTTPError) in transport.post(url, body) }, onResult: results.add)
        dispatcher.enqueue(notification(.firing))
        XCTAssertEqual(results.wait(for: 1).first?.attempts, 3)
        dispatcher.enqueue(notification(.resolved))
        let done = results.wait(for: 2)
        dispatcher.finish()
        XCTAssertEqual(done.last?.attempts, 1, "a 400 is not retried")
        XCTAssertTrue(done.last?.error?.contains("HTTP 400") ?? false)
        let events = try EventLogReader(directory: dir, prefix: "fleet-events").lastEvents(10)
        XCTAssertEqual(events.map(\.kind), ["hook_failed", "hook_failed"])
        XCTAssertEqual(events.first?.payload["url"]?.stringValue, "http://am:9093/api/v2/alerts")
        XCTAssertEqual(events.last?.payload["state"]?.stringValue, "resolved")
    }

    func testFullQueueDropsAndNeverBlocks() {
        let results = Results()
        let gate = Gate()
        let dispatcher = AlertmanagerDispatcher(
            hook: hook(), groups: [:], eventLog: nil, retry: AlertmanagerRetry(attempts: 1), queueLimit: 2,
            post: { _, _, _ throws(HTTPError) in
                while !gate.isOpen { usleep(1000) }
                return 200
            }, onResult: results.add)
        var accepted = 0
        for _ in 0..<10 where dispatcher.enqueue(notification(.firing)) { accepted += 1 }
        XCTAssertLessThan(accepted, 10)
        XCTAssertTrue(results.wait(for: 10 - accepted).allSatisfy { $0.error?.contains("not sent") ?? false })
        gate.open()
        dispatcher.finish()
    }

    /// An Alertmanager that drips its answer a byte every 50 ms (27 s in all) cannot hold the
    /// watch's last delivery past the hook's timeout_s: the real transport's deadline is for
    /// the whole exchange (it used to be per read, and `watch --once` took 81 s for 3).
    func testADrippingAlertmanagerIsCutOffAtTimeout() throws {
        let body = String(repeating: "y", count: 500)
        let server = try DrippingHTTPServer(
            answer: Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8), interval: 50_000
        )
        defer { server.stop() }
        let results = Results()
        let dispatcher = AlertmanagerDispatcher(
            hook: Inventory.AlertHook(
                name: "am", command: [], timeoutS: 1, alertmanagerURL: "http://127.0.0.1:\(server.port)"),
            groups: [:], eventLog: nil, onResult: results.add)
        let started = ContinuousClock.now
        dispatcher.enqueue(notification(.firing))
        dispatcher.finish()
        let took = ContinuousClock.now - started
        XCTAssertLessThan(took, .milliseconds(2500), "timeout_s = 1 held the finish for \(took)")
        let result = try XCTUnwrap(results.wait(for: 1).first)
        XCTAssertTrue(result.error?.contains("timed out after 1 s") ?? false, "\(result)")
    }
}
