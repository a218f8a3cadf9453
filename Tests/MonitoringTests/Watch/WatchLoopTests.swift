import Detectors
import FleetCore
import Foundation
import SSHTransport
import Synchronization
import TestSupport
import XCTest

@testable import Monitoring

/// The watch loop on a fake clock with a scripted remote: hours of polling in milliseconds, and
/// the exact schedule asserted (which host was polled, stopped, when). One worker (`parallel:
/// 1`) and no jitter unless a test is about them, so every schedule is exact.
final class WatchLoopTests: XCTestCase {
    // MARK: blips, give-up, recovery

    /// ssh failures inside `remote_failure_tolerance_s` (10 s) are blips retried after 1, 2, 4
    /// s and then the 3 s left of the tolerance; the failure at 10 s gives up (one alert), the
    /// host is polled at its interval again, and the alert resolves once it has stayed
    /// reachable for the settle time (60 s).
    func testBlipsBackOffThenGiveUpAndRecover() throws {
        let clock = FakeClock()
        let remote = ScriptedRemoteExecutor(clock: clock) { call in
            guard call.isPeek else { return nil }
            return (30..<100).contains(call.seconds) ? .refused : .json(Peek.document(at: call.seconds))
        }
        let log = try temporaryDirectory()
        let eventLog = EventLogWriter(directory: log, clock: clock.wallClock)
        let watch = Watch(
            hosts: [host("pi", policy: policy(toleranceS: 10, settleS: 60))], remote: remote,
            clock: clock, outputs: .init(eventLog: eventLog), options: options(cycles: 10))
        watch.run()

        XCTAssertEqual(
            remote.schedule("peek"),
            [
                "0s pi", "30s pi", "31s pi", "33s pi", "37s pi", "40s pi", "70s pi",
                "100s pi", "130s pi", "160s pi",
            ])
        XCTAssertEqual(
            watch.reports.reachability,
            [
                .reachable, .blip, .blip, .blip, .blip, .unreachable, .unreachable,
                .reachable, .reachable, .reachable,
            ])
        XCTAssertEqual(
            watch.reports.notifications,
            ["40s firing monitor_remote_giveup", "160s resolved monitor_remote_giveup"])
        let events = try Self.events(in: log)
        let blips = events.filter { $0["event"] == "monitor_remote_blip" }
        XCTAssertEqual(blips.map { $0["attempt"] }, [1, 2, 3, 4])
        XCTAssertEqual(blips.map { $0["next_sleep_s"] }, [1, 2, 4, 3.0], "the last sleep is cut by the tolerance left")
        let giveUps = events.filter { $0["event"] == "monitor_remote_giveup" }
        XCTAssertEqual(giveUps.map { $0["total_attempts"] }, [5])
        XCTAssertEqual(giveUps.map { $0["total_elapsed_s"] }, [10.0])
    }

    // MARK: hold and repeat

    /// A disk over the critical line fires only once present for `alert_for_s` (60 s), then is
    /// notified again every `alert_repeat_s` (120 s) while it lasts.
    func testAlertHoldsForAlertForThenRepeats() {
        let clock = FakeClock()
        let remote = ScriptedRemoteExecutor(clock: clock) { call in
            call.isPeek ? .json(Peek.document(at: call.seconds, disk: 97)) : nil
        }
        let watch = Watch(
            hosts: [host("pi", policy: policy(holdS: 60, repeatS: 120))], remote: remote, clock: clock,
            options: options(cycles: 11))
        watch.run()

        XCTAssertEqual(remote.schedule("peek").count, 11)
        XCTAssertEqual(remote.schedule("peek").last, "300s pi")
        XCTAssertEqual(
            watch.reports.notifications,
            [
                "60s firing disk_critical", "180s firing+repeat disk_critical",
                "300s firing+repeat disk_critical",
            ])
        XCTAssertEqual(watch.reports.pending.prefix(3), [["disk_critical"], ["disk_critical"], []])
    }

    // MARK: auto-stop

    /// A firing disk_critical stops the service (`agent-runner stop`), then peeks every 500 ms
    /// until the host reports it stopped: confirmed after 1 s. The next poll keeps its time and
    /// the still-firing alert asks for no second stop.
    func testAutoStopStopsThenPeeksUntilStopped() throws {
        let clock = FakeClock()
        let stoppedAt = Mutex<Double?>(nil)
        let remote = ScriptedRemoteExecutor(clock: clock) { call in
            switch call.verb {
            case "stop":
                stoppedAt.withLock { $0 = call.seconds }
                return .stdout("")
            case "peek":
                let stopped = stoppedAt.withLock { $0 }.map { call.seconds >= $0 + 1 } ?? false
                return .json(Peek.document(at: call.seconds, disk: 97, active: !stopped))
            default:
                return nil
            }
        }
        let log = try temporaryDirectory()
        let eventLog = EventLogWriter(directory: log, clock: clock.wallClock)
        let watch = Watch(
            hosts: [host("pi", policy: policy(autoStop: true, confirmS: 10))], remote: remote,
            clock: clock, outputs: .init(eventLog: eventLog), options: options(cycles: 2))
        watch.run()

        XCTAssertEqual(
            remote.calls.map(\.description),
            [
                "0s pi peek", "0s pi stop", "0s pi peek", "0.5s pi peek",
                "1s pi peek", "30s pi peek",
            ])
        XCTAssertEqual(watch.reports.stops, ["pi disk_critical confirmed after 1 s"])
        let triggered = try Self.events(in: log).filter { $0["event"] == "monitor_auto_stop_triggered" }
        XCTAssertEqual(triggered.map { $0["elapsed_s"] }, [1.0])
        XCTAssertEqual(triggered.map { $0["confirmed"] }, [true])
    }

    /// A service that keeps running is peeked until `confirm_s` (2 s) is used up, then the stop
    /// is reported not confirmed, with what the host last said (seconds as monitors print them).
    func testAutoStopNotConfirmedWithinConfirmS() {
        let clock = FakeClock()
        let remote = ScriptedRemoteExecutor(clock: clock) { call in
            switch call.verb {
            case "stop": return .stdout("")
            case "peek": return .json(Peek.document(at: call.seconds, disk: 97))
            default: return nil
            }
        }
        let watch = Watch(
            hosts: [host("pi", policy: policy(autoStop: true, confirmS: 2))], remote: remote,
            clock: clock, options: options(cycles: 1))
        watch.run()

        XCTAssertEqual(
            remote.calls.map(\.description),
            [
                "0s pi peek", "0s pi stop", "0s pi peek", "0.5s pi peek",
                "1s pi peek", "1.5s pi peek", "2s pi peek",
            ])
        XCTAssertEqual(
            watch.reports.stops,
            [
                "pi disk_critical failed: stop did not take effect within 2 s: "
                    + "the service still reports active"
            ])
    }

    /// Three hosts fire at once under a fleet-wide cap of 2 auto-stops per 10 minutes: two are
    /// stopped, the third is refused, logged and reported, not stopped.
    func testTheFleetWideCapRefusesTheThirdStop() throws {
        let clock = FakeClock()
        let stopped = Mutex(Set<String>())
        let remote = ScriptedRemoteExecutor(clock: clock) { call in
            switch call.verb {
            case "stop":
                stopped.withLock { _ = $0.insert(call.host) }
                return .stdout("")
            case "peek":
                let isStopped = stopped.withLock { $0.contains(call.host) }
                return .json(Peek.document(at: call.seconds, disk: 97, active: !isStopped))
            default:
                return nil
            }
        }
        let log = try temporaryDirectory()
        let hosts = ["a", "b", "c"].map { host($0, policy: policy(autoStop: true, confirmS: 10)) }
        let watch = Watch(
            hosts: hosts, remote: remote, clock: clock,
            outputs: .init(eventLog: EventLogWriter(directory: log, clock: clock.wallClock)),
            options: options(cycles: 1, autoStopLimit: 2))
        watch.run()

        // All three are due at 0 s; the due queue hands out equal times in heap order.
        XCTAssertEqual(watch.reports.polled, ["a", "c", "b"])
        XCTAssertEqual(remote.schedule("peek").count, 5, "three polls and one confirming peek per stop")
        XCTAssertEqual(remote.schedule("stop").sorted(), ["0s a", "0s c"], "the first two answers are stopped")
        XCTAssertEqual(
            watch.reports.stops.sorted(),
            [
                "a disk_critical confirmed after 0 ms",
                "b disk_critical capped at 2",
                "c disk_critical confirmed after 0 ms",
            ])
        let refused = try Self.events(in: log).filter { $0["event"] == "monitor_auto_stop_failed" }
        XCTAssertEqual(refused.map { $0["host"] }, ["b"])
        XCTAssertEqual(
            refused.first?["error"],
            .string(
                "not stopped: the fleet-wide cap of 2 auto-stops per 10 minutes is reached "
                    + "(max_per_10m in [defaults.auto_stop])"))
    }

    // MARK: saved state

    /// A watcher restarted from its saved state does not notify an alert again that was already
    /// firing, but still notifies its resolution. The state is on disk before the router starts
    /// any hook, so a watcher killed in between cannot notify twice either.
    func testRestoredStateDoesNotNotifyAgain() {
        let clock = FakeClock()
        let files = MemoryFileSystem()
        let store = WatchStateStore(path: "/state/watch-state.json", fileSystem: files)
        let router = RecordingRouter(store: store)
        let remote = ScriptedRemoteExecutor(clock: clock) { call in
            call.isPeek ? .json(Peek.document(at: call.seconds, disk: call.seconds < 80 ? 97 : 50)) : nil
        }
        let first = Watch(
            hosts: [host("pi", policy: policy())], remote: remote, clock: clock,
            outputs: .init(stateStore: store, router: router), options: options(cycles: 1))
        first.run()
        XCTAssertEqual(first.reports.notifications, ["0s firing disk_critical"])
        XCTAssertEqual(router.started, [["pi disk_critical firing (saved: firing [\"disk_critical\"])"]])

        clock.advance(by: .seconds(60))  // fleetctl is down for a minute
        let second = Watch(
            hosts: [host("pi", policy: policy())], remote: remote, clock: clock,
            outputs: .init(stateStore: store, router: router), options: options(cycles: 2))
        XCTAssertNoThrow(try second.loop.restore())
        second.run()
        XCTAssertEqual(remote.schedule("peek"), ["0s pi", "60s pi", "90s pi"])
        XCTAssertEqual(
            second.reports.notifications, ["90s resolved disk_critical"],
            "no second firing after the restart")
        XCTAssertEqual(router.started.last, ["pi disk_critical resolved (saved: firing [])"])
    }

    /// What grows with time stays bounded: the saved state of a host no longer in the inventory
    /// is dropped at the next watch (watch-state.json does not keep every host that ever was),
    /// and event-log months past the retention go when the loop starts (2026-11 now: 2025-12
    /// is the oldest of 12 months kept).
    func testStateOfRemovedHostsAndOldEventMonthsAreDropped() throws {
        let clock = FakeClock()
        let files = MemoryFileSystem()
        let store = WatchStateStore(path: "/state/watch-state.json", fileSystem: files)
        let remote = ScriptedRemoteExecutor(clock: clock) { call in
            call.isPeek ? .json(Peek.document(at: call.seconds)) : nil
        }
        let first = Watch(
            hosts: [host("pi", policy: policy()), host("old", policy: policy())], remote: remote, clock: clock,
            outputs: .init(stateStore: store), options: options(cycles: 1))
        first.run()
        XCTAssertEqual(try store.load().hosts.keys.sorted(), ["old", "pi"])

        let log = try temporaryDirectory()
        for name in ["events-2025-11.jsonl", "events-2025-12.jsonl", "other-2020-01.jsonl"] {
            try Data("{}\n".utf8).write(to: URL(fileURLWithPath: log + "/" + name))
        }
        let second = Watch(
            hosts: [host("pi", policy: policy())], remote: remote, clock: clock,
            outputs: .init(
                eventLog: EventLogWriter(directory: log, clock: clock.wallClock), stateStore: store,
                eventLogMonths: MonthlyLogRetention(keepMonths: 12), knownHosts: ["pi"]),
            options: options(cycles: 1))
        try second.loop.restore()
        second.run()
        XCTAssertEqual(try store.load().hosts.keys.sorted(), ["pi"], "'old' left the inventory")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: log).sorted(),
            ["events-2025-12.jsonl", "events-2026-11.jsonl", "other-2020-01.jsonl"])

        let partial = Watch(
            hosts: [host("pi", policy: policy())], remote: remote, clock: clock,
            outputs: .init(stateStore: store), options: options(cycles: 1))
        try store.save(
            {
                var snapshot = try store.load()
                snapshot.hosts["elsewhere"] = snapshot.hosts["pi"]
                return snapshot
            }())
        try partial.loop.restore()
        partial.run()
        XCTAssertEqual(
            try store.load().hosts.keys.sorted(), ["elsewhere", "pi"],
            "without the inventory's names (a watch of some hosts) every saved host stays")
    }

    /// Hosts whose peeks carry multi-MiB hostile text (a tool name and target of one letter and
    /// 900 000 combining marks: one Character of 1.8 MB each, a peek of 3.6 MB, inside the 4 MiB
    /// fleetctl accepts) fire alerts whose text is bounded in bytes, and the state file fleetctl
    /// writes stays small and readable by the next start (it once grew to 33 MB and was refused).
    func testMultiMiBPeeksFromSeveralHostsKeepTheStateReadable() throws {
        let clock = FakeClock()
        let files = MemoryFileSystem()
        let store = WatchStateStore(path: "/state/watch-state.json", fileSystem: files)
        let huge = "x" + String(repeating: "\u{0301}", count: 900_000)
        let remote = ScriptedRemoteExecutor(clock: clock) { call in
            guard call.isPeek, case .object(var document) = Peek.document(at: call.seconds) else { return nil }
            document["recent_events"] = [
                [
                    "ts": .string(EventTimestamp.format(Peek.time(call.seconds - 5))),
                    "event": "anomaly_repetitive_tool", "round_num": 12, "tool_name": .string(huge),
                    "target": .string(huge + "\u{1B}]0;pwned\u{7}\u{202E}"), "count": 5, "window": 10,
                ]
            ]
            return .json(.object(document))
        }
        let names = ["a", "b", "c"]
        let watch = Watch(
            hosts: names.map { host($0, policy: policy()) }, remote: remote, clock: clock,
            outputs: .init(stateStore: store), options: options(cycles: 1))
        watch.run()
        XCTAssertEqual(watch.reports.notifications.count, 3, "each host's anomaly fired")
        let bytes = try files.readFile(store.path, limit: store.maxFileBytes)
        XCTAssertLessThan(bytes.count, 64 << 10, "bounded alerts keep the state small")
        let snapshot = try store.load()
        XCTAssertEqual(snapshot.hosts.keys.sorted(), names)
        let restored = Watch(
            hosts: names.map { host($0, policy: policy()) }, remote: remote, clock: clock,
            outputs: .init(stateStore: store), options: options(cycles: 1))
        XCTAssertNoThrow(try restored.loop.restore())
        for name in names {
            let firing = try XCTUnwrap(restored.loop.monitor(of: name)?.tracker.firing.first?.alert)
            XCTAssertLessThanOrEqual(firing.message.utf8.count, Alert.maxMessageBytes)
            XCTAssertLessThanOrEqual(firing.key.utf8.count, Alert.maxKeyBytes)
        }
    }

    /// Whatever the hosts hold, the store never writes a file larger than it reads back: past
    /// the limit, the largest hosts' state is left out (and named) so the rest survives.
    func testTheStoreNeverWritesAFileItCannotRead() throws {
        let files = MemoryFileSystem()
        let store = WatchStateStore(path: "/state/watch-state.json", fileSystem: files, maxFileBytes: 16 << 10)
        var snapshot = WatchStateStore.Snapshot()
        for index in 0..<6 {
            snapshot.hosts["host\(index)"] = .string(String(repeating: "y", count: (index + 1) << 10))
        }
        snapshot.hosts["small"] = ["tracker": "ok"]
        let dropped = try store.save(snapshot)
        XCTAssertEqual(dropped, ["host5"], "the largest first, until it fits")
        let loaded = try store.load()
        XCTAssertEqual(loaded.hosts.keys.sorted(), ["host0", "host1", "host2", "host3", "host4", "small"])
        XCTAssertLessThanOrEqual(try files.readFile(store.path, limit: .max).count, store.maxFileBytes)
    }

    // MARK: jitter

    /// Poll intervals vary by up to ±5 % (jitter 0.1) with draws from the effects' random
    /// source, in poll order: the schedule replays exactly from the seed.
    func testJitterDrawsFromTheRandomSource() {
        let random = SeededRandom.fromEnvironment()
        let clock = FakeClock()
        let remote = ScriptedRemoteExecutor(clock: clock) { call in
            call.isPeek ? .json(Peek.document(at: call.seconds)) : nil
        }
        let watch = Watch(
            hosts: [host("pi", policy: policy())], remote: remote, clock: clock, random: random,
            options: options(cycles: 6, jitter: 0.1))
        watch.run()

        let replay = SeededRandom(seed: random.seed)
        var expected: [Duration] = [.zero]
        for _ in 1..<6 {
            let interval = max(0.05, 30 * (1 + 0.1 * (replay.unit() - 0.5)))
            expected.append(expected.last! + .milliseconds(Int64(interval * 1000)))
        }
        XCTAssertEqual(remote.calls.map(\.at), expected, random.replayHint)
        for (earlier, later) in zip(expected, expected.dropFirst()) {
            XCTAssertTrue((28.5...31.5).contains((later - earlier).seconds), "\(later - earlier); \(random.replayHint)")
        }
    }

    // MARK: fixtures

    func host(_ name: String, interval: Double = 30, policy: MonitorPolicy) -> MonitoredHost {
        let target = PollTarget(
            name: name, remote: RemoteHost(name: name, target: try! SSHTarget(name)),
            settings: PollSettings(pollIntervalS: interval))
        return MonitoredHost(target: target, policy: policy)
    }

    func policy(
        holdS: Double = 0, repeatS: Double = 0, toleranceS: Int = 90, settleS: Double = 60,
        autoStop: Bool = false, confirmS: Double = 30
    ) -> MonitorPolicy {
        var policy = MonitorPolicy(holdS: holdS, repeatS: repeatS, toleranceS: toleranceS, settleS: settleS)
        policy.autoStop.enabled = autoStop
        policy.autoStop.confirmS = confirmS
        return policy
    }

    func options(cycles: Int, jitter: Double = 0, autoStopLimit: Int = .max) -> WatchLoop.Options {
        WatchLoop.Options(cycles: cycles, parallel: 1, jitter: jitter, autoStopLimit: autoStopLimit)
    }

    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "watch-loop-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// Every event of the log directory, in file then line order.
    static func events(in directory: String) throws -> [JSONValue] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".jsonl") }.sorted()
        return try files.flatMap { name in
            try String(contentsOfFile: directory + "/" + name, encoding: .utf8).split(separator: "\n")
                .map { try JSONParser.strict.parse(String($0)) }
        }
    }
}

/// A watch loop over the fake effects, with its reports collected.
private struct Watch {
    let loop: WatchLoop
    let reports = CollectedReports()

    init(
        hosts: [MonitoredHost], remote: ScriptedRemoteExecutor, clock: FakeClock,
        random: any RandomSource = UnusableRandom(), outputs: WatchLoop.Outputs = .init(),
        options: WatchLoop.Options
    ) {
        let reports = self.reports
        loop = WatchLoop(
            hosts: hosts, remote: remote, effects: .fake(clock: clock, random: random), outputs: outputs,
            options: options, report: reports.add)
    }

    func run() {
        loop.run { false }
    }
}

/// What the loop reported, in order (it reports on its own thread; the test reads after `run`).
private final class CollectedReports: Sendable {
    private let reports = Mutex<[WatchReport]>([])

    func add(_ report: WatchReport) {
        reports.withLock { $0.append(report) }
    }

    private var all: [WatchReport] { reports.withLock { $0 } }

    /// The host's reachability after each poll.
    var reachability: [HostMonitor.Reachability] {
        all.compactMap { if case .polled(_, let monitor) = $0 { return monitor.reachability } else { return nil } }
    }

    /// The hosts polled, in the order the loop handled their answers.
    var polled: [String] {
        all.compactMap { if case .polled(let poll, _) = $0 { return poll.host } else { return nil } }
    }

    /// Detectors pending after each poll.
    var pending: [[String]] {
        all.compactMap { report in
            guard case .polled(_, let monitor) = report else { return nil }
            return monitor.pending.keys.sorted()
        }
    }

    /// `60s firing disk_critical`, `180s firing+repeat disk_critical`: time since the fake
    /// clock's start.
    var notifications: [String] {
        all.compactMap { report in
            guard case .notification(let notification, _) = report else { return nil }
            let offset = Seconds.epoch(notification.at) - Double(Peek.epoch)
            let time = ScriptedRemoteExecutor.Call.format(.milliseconds(Int64((offset * 1000).rounded())))
            let state = notification.state.rawValue + (notification.isRepeat ? "+repeat" : "")
            return "\(time) \(state) \(notification.alert.detector)"
        }
    }

    /// `pi disk_critical confirmed after 1s`, `c disk_critical capped at 2`.
    var stops: [String] {
        all.compactMap { report in
            guard case .autoStop(let host, let alert, let outcome) = report else { return nil }
            switch outcome {
            case .confirmed(let elapsed): return "\(host) \(alert.detector) confirmed after \(elapsed.shortText)"
            case .failed(let error): return "\(host) \(alert.detector) failed: \(error)"
            case .capped(let limit): return "\(host) \(alert.detector) capped at \(limit)"
            case .dryRun: return "\(host) \(alert.detector) dry run"
            }
        }
    }
}

/// An alert router that records what it is asked to deliver and, at each start, what the saved
/// state holds for the notification's host: the loop must save before hooks start.
private final class RecordingRouter: AlertRouter {
    private let store: WatchStateStore
    private let queued = Mutex<[AlertNotification]>([])
    private let starts = Mutex<[[String]]>([])

    init(store: WatchStateStore) {
        self.store = store
    }

    /// What each start delivered.
    var started: [[String]] { starts.withLock { $0 } }

    func silence(for notification: AlertNotification) -> AlertSilence? { nil }

    func route(_ notification: AlertNotification) {
        queued.withLock { $0.append(notification) }
    }

    func start() {
        let delivered = queued.withLock { queued in
            defer { queued.removeAll() }
            return queued
        }
        let lines = delivered.map { "\($0.host) \($0.alert.detector) \($0.state.rawValue) (saved: \(saved($0)))" }
        starts.withLock { $0.append(lines) }
    }

    /// The detectors firing on the notification's host in the saved state.
    private func saved(_ notification: AlertNotification) -> String {
        guard let json = try? store.load().hosts[notification.host],
            let monitor = try? HostMonitor(host: notification.host, policy: MonitorPolicy(), json: json)
        else {
            return "nothing"
        }
        return "firing \(monitor.firing.map(\.alert.detector))"
    }

    func finish() {}
}
