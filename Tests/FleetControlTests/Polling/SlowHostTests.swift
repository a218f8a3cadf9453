import Detectors
import FleetCore
import Foundation
import Monitoring
import SSHTransport
import TestSupport
import XCTest

@testable import FleetControl

/// One host 5 s behind the others, over a real sshd on loopback: the rest of the fleet's polls
/// are not held up, neither in one `status` poll nor in `watch`'s cycles.
final class SlowHostTests: XCTestCase {
    var sshd: LoopbackSSHD!
    let names = ["a", "b", "c", "slow"]

    override func setUpWithError() throws {
        sshd = try LoopbackSSHD(aliases: names)
    }

    override func tearDown() {
        sshd?.shutdown()
    }

    private func targets() throws -> [PollTarget] {
        let document = JSONWriter(style: .compact).string(Peek.document(at: 0))
        let fast = try sshd.writeScript("agent-runner-fast", "cat <<'JSON'\n\(document)\nJSON")
        let slow = try sshd.writeScript("agent-runner-slow", "sleep 5\ncat <<'JSON'\n\(document)\nJSON")
        return try names.map { name in
            let settings = PollSettings(agentRunner: name == "slow" ? slow : fast, pollIntervalS: 0.3, pollTimeoutS: 15)
            let options = SSHOptions(
                configFile: sshd.clientConfig, connectTimeoutS: 2,
                connectionReuse: .on(controlDirectory: sshd.controlDirectory))
            return PollTarget(
                name: name, remote: RemoteHost(name: name, target: try SSHTarget(name), options: options),
                settings: settings)
        }
    }

    func testOneStatusPollTakesTheSlowestHostNotTheSum() throws {
        let started = ContinuousClock.now
        let rows = FleetStatus.poll(
            try targets().map { MonitoredHost(target: $0, policy: MonitorPolicy()) },
            poller: PeekPoller(executor: SSHExecutor()), parallel: 4)
        let elapsed = (ContinuousClock.now - started).seconds
        XCTAssertEqual(rows.map(\.reachable), [true, true, true, true])
        XCTAssertGreaterThanOrEqual(elapsed, 5)
        XCTAssertLessThan(elapsed, 9, "the slow host's 5 s is paid once, not added to the others")
    }

    func testWatchKeepsPollingTheOthersWhileOneHostIsSlow() throws {
        let hosts = try targets().map { MonitoredHost(target: $0, policy: MonitorPolicy(settleS: 0.6)) }
        let started = ContinuousClock.now
        let arrivals = ArrivalLog()
        let watcher = WatchLoop(
            hosts: hosts, remote: SSHExecutor(), effects: .live(),
            options: WatchLoop.Options(cycles: 2, dryRun: true, parallel: 4, jitter: 0, autoStopLimit: 3)
        ) { report in
            if case .polled(let poll, _) = report { arrivals.add(poll.host, (ContinuousClock.now - started).seconds) }
        }
        watcher.run { false }
        let byHost = arrivals.byHost
        XCTAssertEqual(byHost["slow"]?.count, 2)
        XCTAssertGreaterThanOrEqual(byHost["slow"]?.first ?? 0, 5)
        for name in ["a", "b", "c"] {
            // Both polls of each fast host (0.3 s apart) land before the slow host's first answer.
            let times = byHost[name] ?? []
            XCTAssertEqual(times.count, 2, name)
            XCTAssertLessThan(
                times.last ?? .infinity, byHost["slow"]?.first ?? 0, "\(name) waited for the slow host: \(byHost)")
        }
    }
}

final class ArrivalLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(String, Double)] = []
    func add(_ host: String, _ at: Double) {
        lock.lock()
        entries.append((host, at))
        lock.unlock()
    }
    var byHost: [String: [Double]] {
        lock.lock()
        defer { lock.unlock() }
        return Dictionary(grouping: entries, by: \.0).mapValues { $0.map(\.1) }
    }
}
