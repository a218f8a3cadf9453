import Detectors
import FleetCore
import Foundation
import SSHTransport
import TestSupport
import XCTest

@testable import Monitoring

/// A transport whose every poll takes `delay` (a slow host): the watch loop's workers are all
/// busy most of the time.
final class SlowFleetTransport: RemoteExecutor, @unchecked Sendable {
    let healthy = JSONWriter(style: .compact).encode(Peek.document(at: 0, rounds: 12))
    let delay: TimeInterval
    init(delay: TimeInterval) { self.delay = delay }

    func run(
        host: RemoteHost, argv: [String], stdin: [UInt8]?, deadline: ContinuousClock.Instant, outputLimit: Int
    ) -> RemoteResult {
        Thread.sleep(forTimeInterval: delay)
        return RemoteResult(host: host.name, outcome: .ok(healthy), errorMessage: nil)
    }
}

final class FleetWatcherIdleTests: XCTestCase {
    /// With every in-flight slot taken and hosts overdue, the loop must sleep until a poll
    /// completes. It used to wait "until the next due time", which was already past, and so
    /// spun on the clock at 100 % of a core for as long as the workers were busy.
    func testLoopSleepsWhileEveryWorkerIsBusy() {
        let settings = PollSettings(pollIntervalS: 0.001)  // always overdue
        let hosts = (0..<40).map { index in
            MonitoredHost(
                target: PollTarget(
                    name: "h\(index)", remote: RemoteHost(name: "h\(index)", target: try! SSHTarget("h\(index)")),
                    settings: settings),
                policy: MonitorPolicy(settleS: MonitorPolicy.settle(pollIntervalS: 0.001)))
        }
        let transport = SlowFleetTransport(delay: 0.1)
        let reports = ReportBox()
        let watcher = WatchLoop(
            hosts: hosts, remote: transport, effects: .live(),
            options: WatchLoop.Options(cycles: 2, dryRun: true, parallel: 2, jitter: 0, autoStopLimit: 3),
            report: reports.add)
        let cpuBefore = Self.threadCPUSeconds()
        let started = ContinuousClock.now
        watcher.run { false }  // runs its loop on this thread
        let wall = ContinuousClock.now - started
        let cpu = Self.threadCPUSeconds() - cpuBefore
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        XCTAssertEqual(reports.polls, 80)
        // 80 polls of 0.1 s on 2 workers: about 4 s of wall time, nearly all of it waiting.
        XCTAssertGreaterThan(wallSeconds, 3.5)
        XCTAssertLessThan(
            cpu, wallSeconds * 0.25, "the loop thread used \(cpu) s of CPU in \(wallSeconds) s: it spins while waiting")
    }

    private static func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
