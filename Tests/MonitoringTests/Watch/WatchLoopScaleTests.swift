import Detectors
import FleetCore
import Foundation
import SSHTransport
import TestSupport
import XCTest

@testable import Monitoring

/// A transport that answers from memory: `h<N>` hosts are healthy, except every 100th host
/// failing auth, the next one with a full disk, and the next one unreachable. A stop makes the
/// host report its service inactive.
final class FakeFleetTransport: RemoteExecutor, @unchecked Sendable {
    let healthy = JSONWriter(style: .compact).encode(Peek.document(at: 0, rounds: 12))
    let oauth = JSONWriter(style: .compact).encode(Peek.document(at: 0, rounds: 12, auth: 12))
    let disk = JSONWriter(style: .compact).encode(Peek.document(at: 0, rounds: 12, disk: 97))
    let stoppedDisk = JSONWriter(style: .compact).encode(Peek.document(at: 0, rounds: 12, disk: 97, active: false))
    let stoppedOAuth = JSONWriter(style: .compact).encode(Peek.document(at: 0, rounds: 12, auth: 12, active: false))
    private let lock = NSLock()
    private var stopped = Set<String>()
    private(set) var calls = 0

    var stops: Set<String> {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    func run(
        host: RemoteHost, argv: [String], stdin: [UInt8]?, deadline: ContinuousClock.Instant, outputLimit: Int
    ) -> RemoteResult {
        let number = Int(host.name.dropFirst()) ?? 0
        lock.lock()
        calls += 1
        if argv.contains("stop") { stopped.insert(host.name) }
        let isStopped = stopped.contains(host.name)
        lock.unlock()
        if argv.contains("stop") {
            return RemoteResult(host: host.name, outcome: .ok(Array(#"{"active": false}"#.utf8)), errorMessage: nil)
        }
        switch number % 100 {
        case 0: return RemoteResult(host: host.name, outcome: .ok(isStopped ? stoppedOAuth : oauth), errorMessage: nil)
        case 1: return RemoteResult(host: host.name, outcome: .ok(isStopped ? stoppedDisk : disk), errorMessage: nil)
        case 2:
            return RemoteResult(
                host: host.name, outcome: .sshFailure(.connectionRefused, "connection refused"),
                errorMessage: "\(host.name): ssh: connection refused", stderrTail: "Connection refused",
                exit: .terminated(255))
        default: return RemoteResult(host: host.name, outcome: .ok(healthy), errorMessage: nil)
        }
    }
}

final class FleetScaleTests: XCTestCase {
    func testTenThousandHostsThroughTheWatchLoop() throws {
        let transport = FakeFleetTransport()
        let settings = PollSettings(pollIntervalS: 0.05)
        let hosts = (0..<10_000).map { index in
            MonitoredHost(
                target: PollTarget(
                    name: "h\(index)", remote: RemoteHost(name: "h\(index)", target: try! SSHTarget("h\(index)")),
                    settings: settings),
                policy: MonitorPolicy(repeatS: 0, settleS: MonitorPolicy.settle(pollIntervalS: 0.05)))
        }
        let reports = ReportBox()
        let watcher = WatchLoop(
            hosts: hosts, remote: transport, effects: .live(),
            options: WatchLoop.Options(
                cycles: 2, parallel: 4, jitter: 0, autoStopLimit: 3, confirmInterval: .milliseconds(10)),
            report: reports.add)
        let started = ContinuousClock.now
        watcher.run { false }
        let elapsed = ContinuousClock.now - started
        print("10,000 hosts x 2 polls through the watch loop: \(elapsed)")

        let notifications = reports.notifications
        XCTAssertEqual(notifications.filter { $0.state == .firing && $0.alert.detector == "oauth_fail" }.count, 100)
        XCTAssertEqual(notifications.filter { $0.state == .firing && $0.alert.detector == "disk_critical" }.count, 100)
        XCTAssertEqual(notifications.filter { $0.state == .resolved }.count, 0)
        XCTAssertEqual(notifications.count, 200, "the second poll notifies nothing new; blips do not alert")
        XCTAssertEqual(reports.polls, 20_000)
        let stops = reports.stops
        XCTAssertEqual(
            stops.filter {
                if case .capped = $0 { return true }
                return false
            }.count, 197, "the fleet-wide cap holds")
        XCTAssertEqual(
            stops.filter {
                if case .confirmed = $0 { return true }
                return false
            }.count, 3)
        XCTAssertEqual(transport.stops.count, 3)
        XCTAssertEqual(watcher.monitor(of: "h2")?.reachability, .blip)
        XCTAssertEqual(watcher.monitor(of: "h5")?.firing.count, 0)
    }
}

final class ReportBox: @unchecked Sendable {
    private(set) var notifications: [AlertNotification] = []
    private(set) var polls = 0
    private(set) var stops: [AutoStopReport] = []
    func add(_ report: WatchReport) {
        switch report {
        case .polled: polls += 1
        case .notification(let notification, _): notifications.append(notification)
        case .autoStop(_, _, let outcome): stops.append(outcome)
        case .warning: break
        }
    }
}
