import Detectors
import FleetCore
import Foundation
import Monitoring
import SSHTransport
import TestSupport
import XCTest

@testable import FleetControl

/// A transport where every 4th host hangs until the call's deadline (a host that accepts the
/// connection and never answers), the rest answer at once.
final class HangingFleetTransport: RemoteExecutor, @unchecked Sendable {
    let healthy = JSONWriter(style: .compact).encode(Peek.document(at: 0, rounds: 12))

    func run(
        host: RemoteHost, argv: [String], stdin: [UInt8]?, deadline: ContinuousClock.Instant, outputLimit: Int
    ) -> RemoteResult {
        let number = Int(host.name.dropFirst()) ?? 0
        if number % 4 == 3 {
            let budget = deadline - .now
            Thread.sleep(
                forTimeInterval: Double(budget.components.seconds) + Double(budget.components.attoseconds) / 1e18)
            return RemoteResult(
                host: host.name, outcome: .timeout(after: budget),
                errorMessage: "\(host.name): no answer within the deadline")
        }
        return RemoteResult(host: host.name, outcome: .ok(healthy), errorMessage: nil)
    }
}

final class FleetBoundedPollTests: XCTestCase {
    /// 200 hosts, 50 of them hung: one poll of the fleet is bounded by the per-host deadline and
    /// the parallelism (two waves of hung hosts here), never by the number of bad hosts in a row.
    func testTwoHundredHostsWithFiftyHungStayBounded() {
        let settings = PollSettings(pollTimeoutS: 1)
        let targets = (0..<200).map { index in
            MonitoredHost(
                target: PollTarget(
                    name: "h\(index)", remote: RemoteHost(name: "h\(index)", target: try! SSHTarget("h\(index)")),
                    settings: settings),
                policy: MonitorPolicy())
        }
        let started = ContinuousClock.now
        let rows = FleetStatus.poll(targets, poller: PeekPoller(executor: HangingFleetTransport()), parallel: 32)
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(rows.count, 200)
        XCTAssertEqual(rows.filter { !$0.reachable }.count, 50)
        XCTAssertEqual(rows.filter(\.reachable).count, 150)
        // Sequentially this would take 50 s; with 32 workers, two waves of 1 s deadlines.
        XCTAssertLessThan(elapsed, .seconds(15), "the poll cycle took \(elapsed)")
    }
}
