import FleetCore
import Foundation
import XCTest

/// Each loopback host is its own unix user, as on a real fleet (see FleetFixture). The other
/// fleet tests would pass as well with every host logged in as root; this one checks that they
/// are not, and what a host's login can and cannot do to another host's serve.
final class FleetHostUserTests: XCTestCase {
    func testEachHostIsItsOwnUserAndOneHostsLoginCannotStopAnothersServe() throws {
        let fleet = try FleetFixture(self, hosts: ["pi1", "pi2"])
        let first = try fleet.project(self, on: "pi1", modes: ["slow"])
        let second = try fleet.project(self, on: "pi2", modes: ["slow"])
        // `wrong` logs in to pi1 but names pi2's project: an inventory row with the wrong ssh target.
        try fleet.inventory(
            """
            \(FleetFixture.host("pi1", project: first))
            \(FleetFixture.host("pi2", project: second))
            \(FleetFixture.host("wrong", project: second, extra: "ssh = \"pi1\""))
            """)
        // Rounds of 10 s: pi2's agent is in flight through the refused stop and kill below, even
        // on a loaded machine (with 2 s rounds it was sometimes between rounds, and then the
        // refusal could not name it).
        let serve1 = try first.startServe()
        let serve2 = try second.startServe(environment: ["FAKE_SLEEP": "10"])
        defer {
            _ = serve1.terminate(grace: .seconds(5))
            _ = serve2.terminate(grace: .seconds(5))
        }
        AgentProject.wait("both serves' rounds") {
            FileManager.default.fileExists(atPath: first.logDir + "/agent.pid")
                && FileManager.default.fileExists(atPath: second.logDir + "/agent.pid")
        }

        // Each alias logs in as its own user, and each serve (and the files it writes) is that user's.
        for (host, serve, project) in [("pi1", serve1, first), ("pi2", serve2, second)] {
            let user = fleet.user(host)
            let login = try fleet.ssh(host, ["id", "-un"])
            XCTAssertEqual(login.stdoutText, user.name + "\n", login.stderrText)
            XCTAssertTrue(user.processes().contains { $0.pid == serve.pid }, "\(host)'s serve runs as \(user)")
            let pidFile = try FileManager.default.attributesOfItem(atPath: project.logDir + "/serve.pid")
            XCTAssertEqual(
                (pidFile[.ownerAccountID] as? NSNumber)?.uint32Value, user.uid, "serve.pid of \(host) is \(user)'s")
            let peek = try fleet.fleetctl(["peek", host, "--select", "service.pid"])
            XCTAssertEqual(peek.stdout, "\(serve.pid)\n", "peek over \(host) reads \(host)'s own serve: \(peek.stderr)")
        }
        XCTAssertNotEqual(fleet.user("pi1").uid, fleet.user("pi2").uid)
        XCTAssertFalse(fleet.user("pi1").processes().contains { $0.pid == serve2.pid })

        // pi2's log dir is pi2's only (0700): pi1's login cannot even see whether it runs, and
        // says so at once, naming the user to run as, instead of calling it "not running".
        AgentProject.wait("pi2's round in flight") {
            FileManager.default.fileExists(atPath: second.logDir + "/agent.pid")
        }
        for verb in ["stop", "kill"] {
            let refused = try fleet.fleetctl([verb, "wrong"])
            XCTAssertEqual(refused.code, 1, refused.stdout)
            XCTAssertTrue(
                refused.stderr.contains("agent-runner: cannot read the log dir \(second.logDir) (Permission denied): ")
                    && refused.stderr.contains("run agent-runner \(verb) as fleet-e2e-2 (or root)"), refused.stderr)
            XCTAssertNil(serve2.poll(), "pi2's serve keeps running")
        }

        // Opened to others by hand (0755), pi1's login can read pi2's project, but neither stop
        // nor kill its serve, and says why at once.
        XCTAssertEqual(chmod(second.logDir, 0o755), 0)
        let stop = try fleet.fleetctl(["stop", "wrong"])
        XCTAssertEqual(stop.code, 1, stop.stdout)
        XCTAssertTrue(stop.stderr.contains("wrong: stop failed"), stop.stderr)
        XCTAssertTrue(
            stop.stderr.contains(
                "agent-runner: cannot signal serve (pid \(serve2.pid)): Operation not permitted; "
                    + "it runs as fleet-e2e-2, not as fleet-e2e-1: stop it as fleet-e2e-2 (or root)"), stop.stderr)
        let killedAt = ContinuousClock.now
        let kill = try fleet.fleetctl(["kill", "wrong"])
        XCTAssertEqual(kill.code, 1, kill.stdout)
        // serve first, then its agent and the agent's children, all pi2's.
        XCTAssertTrue(
            kill.stderr.contains("agent-runner: cannot kill serve: \(serve2.pid) (agent-runner, user fleet-e2e-2), "),
            kill.stderr)
        XCTAssertTrue(kill.stderr.contains("(claude, user fleet-e2e-2)"), kill.stderr)
        XCTAssertTrue(
            kill.stderr.contains(
                ": fleet-e2e-1 may not signal them (Operation not permitted); nothing was signalled. "
                    + "Run agent-runner kill as fleet-e2e-2 (or root)"), kill.stderr)
        XCTAssertLessThan(
            ContinuousClock.now - killedAt, .seconds(4), "refused at once, not after the 5 s + 2 s ladder")
        XCTAssertNil(serve2.poll(), "pi2's serve keeps running")

        // pi2's own login stops it.
        let own = try fleet.fleetctl(["stop", "pi2"])
        XCTAssertEqual(own.code, 0, own.stderr)
        AgentProject.wait("pi2's serve to exit") { serve2.poll() != nil }
        XCTAssertEqual(serve2.poll(), .terminated(0))
        let exits = try second.events().filter { $0.kind == "agent_exit" }
        XCTAssertFalse(exits.isEmpty)
        XCTAssertTrue(
            exits.allSatisfy { $0.payload["exit_code"] == .int(0) },
            "no round of pi2 was cut short: \(exits.map(\.raw))")
        XCTAssertNil(serve1.poll(), "pi1's serve was never touched")
    }
}
