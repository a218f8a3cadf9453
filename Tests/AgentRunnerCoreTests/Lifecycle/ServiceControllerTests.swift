import FleetCore
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// The service verbs' waits on a user unit, on a fake clock and a scripted `systemctl`.
final class ServiceControllerTests: XCTestCase {
    func bench(stopDrain: Duration = .zero, obeysTERM: Bool = true) throws -> UpgradeBench {
        let bench = try UpgradeBench(stopDrain: stopDrain, obeysTERM: obeysTERM)
        addTeardownBlock { bench.cleanUp() }
        return bench
    }

    func testKillEscalatesToSIGKILLAfterTheGraceAndStopsTheRestart() throws {
        let bench = try bench(obeysTERM: false)

        let result = try bench.controller.kill(grace: .seconds(5))

        XCTAssertEqual(result, .init(signalled: 1, killed: 1))
        XCTAssertEqual(
            bench.manager.actions,
            [
                "systemctl --user kill --signal=SIGTERM agent-runner@demo.service",
                "systemctl --user kill --signal=SIGKILL agent-runner@demo.service",
                "systemctl --user --no-block stop agent-runner@demo.service",
            ])
        XCTAssertEqual(bench.clock.sleeps, Array(repeating: .milliseconds(200), count: 25))
        XCTAssertEqual(bench.said, "agent-runner: killed agent-runner@demo.service (SIGKILL after 5s)\n")
    }

    func testKillOfAServeThatObeysSIGTERMNeedsNoSIGKILL() throws {
        let bench = try bench()

        XCTAssertEqual(try bench.controller.kill(grace: .seconds(5)), .init(signalled: 1, killed: 0))
        XCTAssertEqual(bench.manager.actions, ["systemctl --user kill --signal=SIGTERM agent-runner@demo.service"])
        XCTAssertEqual(bench.clock.sleeps, [])
    }

    func testStopSaysWhenTheRoundIsStillDraining() throws {
        let bench = try bench(stopDrain: .seconds(90))

        XCTAssertThrowsError(try bench.controller.stop(timeout: .seconds(1))) { error in
            XCTAssertEqual(
                (error as? LifecycleError)?.message,
                "still stopping after 1 s: agent-runner@demo.service is deactivating; it exits when the "
                    + "round ends (at most 1900s: round_timeout_s 1800 + agent stop grace 10 + round hooks 0 + "
                    + "git step 60 + margin 30). To stop now: agent-runner kill")
        }
        XCTAssertEqual(bench.clock.sleeps, Array(repeating: .milliseconds(200), count: 5))
        XCTAssertEqual(bench.said, "agent-runner: stopping service...\n")
    }

    func testStopPrintsStoppedOnlyOnceTheUnitIsInactive() throws {
        let bench = try bench(stopDrain: .milliseconds(1_300))

        XCTAssertEqual(try bench.controller.stop(), .stopped(elapsed: .milliseconds(1_400)))
        XCTAssertEqual(bench.said, "agent-runner: stopping service...\nagent-runner: stopped (1.4 s)\n")
    }
}
