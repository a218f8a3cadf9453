import Detectors
import FleetCore
import Foundation
import Monitoring
import SSHTransport
import TestSupport
import XCTest

@testable import FleetControl

/// A host whose service verbs never answer within the deadline (a graceful stop waiting for a
/// long round) and whose peek says `service` (nil: peek fails too).
final class SlowStopTransport: RemoteExecutor, @unchecked Sendable {
    let service: Bool?
    private let lock = NSLock()
    private var seen: [[String]] = []
    var calls: [[String]] {
        lock.lock()
        defer { lock.unlock() }
        return seen
    }

    init(service: Bool?) { self.service = service }

    func run(
        host: RemoteHost, argv: [String], stdin: [UInt8]?, deadline: ContinuousClock.Instant, outputLimit: Int
    ) -> RemoteResult {
        lock.lock()
        seen.append(argv)
        lock.unlock()
        if argv.contains("peek") {
            guard let service else {
                return RemoteResult(
                    host: host.name, outcome: .sshFailure(.connectionRefused, "connection refused"),
                    errorMessage: "\(host.name): ssh: connection refused", stderrTail: "", exit: .terminated(255))
            }
            return RemoteResult(
                host: host.name, outcome: .ok(JSONWriter(style: .compact).encode(Peek.document(active: service))),
                errorMessage: nil)
        }
        let budget = deadline - .now
        Thread.sleep(forTimeInterval: max(0, budget.seconds))
        return RemoteResult(
            host: host.name, outcome: .timeout(after: budget),
            errorMessage: "\(host.name): no answer within the deadline")
    }
}

final class FleetActionTests: XCTestCase {
    private func target(_ name: String) throws -> PollTarget {
        PollTarget(name: name, remote: RemoteHost(name: name, target: try SSHTarget(name)), settings: PollSettings())
    }

    private func run(_ verb: String, service: Bool?) throws -> (FleetAction.Result, [[String]]) {
        let transport = SlowStopTransport(service: service)
        let results = FleetAction.run(
            verb, on: [try target("pi")], executor: transport, parallel: 1, timeout: .milliseconds(200))
        return (try XCTUnwrap(results.first), transport.calls)
    }

    func testStopPastItsDeadlineOnAHostStillRunningIsReportedAsStopping() throws {
        let (result, calls) = try run("stop", service: true)
        XCTAssertFalse(result.ok)
        XCTAssertEqual(result.service, "stopping")
        XCTAssertTrue(
            result.error?.contains("serve is finishing its round and exits when it ends") == true, result.error ?? "")
        XCTAssertTrue(result.error?.contains("fleetctl kill pi stops it now") == true, result.error ?? "")
        XCTAssertEqual(calls.count, 2)
        XCTAssertTrue(calls[0].contains("stop") && calls[1].contains("peek"), "\(calls)")
    }

    func testStopPastItsDeadlineThatDidStopIsOK() throws {
        let (result, _) = try run("stop", service: false)
        XCTAssertTrue(result.ok, result.error ?? "")
        XCTAssertEqual(result.service, "stopped")
    }

    func testStopPastItsDeadlineOnAnUnreachableHostSaysSo() throws {
        let (result, _) = try run("stop", service: nil)
        XCTAssertFalse(result.ok)
        XCTAssertNil(result.service)
        XCTAssertTrue(
            result.error?.contains("no answer within the deadline; the host did not answer a peek afterwards either")
                == true, result.error ?? "")
    }

    func testRestartPastItsDeadlineSaysItGoesOnOnTheHost() throws {
        let (result, _) = try run("restart", service: true)
        XCTAssertFalse(result.ok)
        XCTAssertEqual(result.service, "restarting")
        XCTAssertTrue(result.error?.contains("agent-runner restart goes on on the host") == true, result.error ?? "")
        XCTAssertTrue(result.error?.contains("fleetctl restart --force pi") == true, result.error ?? "")
    }

    func testStartAndKillTimeoutsAreReportedAsTheyAre() throws {
        for verb in ["start", "kill"] {
            let (result, calls) = try run(verb, service: true)
            XCTAssertFalse(result.ok)
            XCTAssertEqual(result.error, "pi: no answer within the deadline")
            XCTAssertEqual(calls.count, 1, "no follow-up peek for \(verb)")
        }
    }
}
