import FleetCore
import Foundation
import XCTest

/// fleetctl while a host loses power in the middle of its command: every process of the host
/// dies at once (its sshd with the sessions it serves, serve and its agent: ``HostCrash``), then
/// the host boots (sshd back, the service started as its unit would) and the operator runs
/// fleetctl again. (A rollout through a rebooting canary: `FleetUpgradeTests` in
/// Rollout/FleetUpgradeRebootTests.swift.)
final class FleetRebootTests: XCTestCase {
    func testStopWhileTheHostRebootsFailsThatHostClearlyAndARerunStopsIt() throws {
        let fleet = try FleetFixture(self, hosts: ["pi"])
        let project = try fleet.project(self, on: "pi", modes: ["slow"])
        addTeardownBlock { _ = try? project.run(["kill"]) }
        let config = project.dir + "/agent-runner.toml"
        try fleet.inventory(FleetFixture.host("pi", project: project))
        let serve = try project.startServe(environment: ["FAKE_SLEEP": "30"])
        addTeardownBlock { if serve.poll() == nil { _ = serve.terminate(grace: .seconds(5)) } }
        AgentProject.wait("the round in flight") {
            FileManager.default.fileExists(atPath: project.logDir + "/agent.pid")
        }
        let interrupted = try XCTUnwrap(
            try project.events().filter { $0.kind == "round_start" }.compactMap { $0.payload["round_num"]?.intValue }
                .max())

        // `fleetctl stop pi`: the remote `agent-runner stop` has asked serve to finish its round and waits.
        let stopping = try fleet.startFleetctl(["stop", "pi"])
        let remoteStop = [fleet.agentRunner, "stop", "--json", "--config", config]
        func remoteStopPID() -> Int32? {
            ProcessTree.snapshot().first { !$0.isZombie && ProcessTree.commandLine(of: $0.pid) == remoteStop }?.pid
        }
        AgentProject.wait("the remote stop") { remoteStopPID() != nil }
        let remoteStopped = try XCTUnwrap(remoteStopPID())
        let agent = try XCTUnwrap(try PidFile(path: project.logDir + "/agent.pid").runningPID())
        usleep(500_000)
        XCTAssertNil(stopping.poll(), "fleetctl waits for the remote stop")
        XCTAssertNil(serve.poll(), "serve is finishing its round")

        let sshdPID = try XCTUnwrap(fleet.sshd.serverPID)
        let cut = ContinuousClock.now
        let killed = HostCrash.powerOff(home: nil, roots: [sshdPID, serve.pid]).map(\.pid)
        for (what, pid) in [
            ("sshd", sshdPID), ("the remote agent-runner stop", remoteStopped), ("serve", serve.pid),
            ("the agent", agent),
        ] {
            XCTAssertTrue(killed.contains(pid), "\(what) (pid \(pid)) died in the power cut")
        }
        _ = serve.wait()
        fleet.sshd.stop()

        // fleetctl reports that host's failure at once, with the documented exit code (1).
        AgentProject.wait("fleetctl to report pi", timeout: 30) { stopping.poll() != nil }
        guard stopping.poll() != nil else { return }
        let output = stopping.collectOutput()
        XCTAssertLessThan(ContinuousClock.now - cut, .seconds(30), "fleetctl did not hang on the dead host")
        XCTAssertEqual(output.exit, .terminated(1), output.stderrText)
        XCTAssertEqual(output.stdoutText, "", "no host succeeded")
        XCTAssertTrue(
            output.stderrText.contains(
                "fleetctl: pi: stop failed: pi: ssh exited 255 (agent-runner: stopping service...) without an error of its own: "
                    + "the connection was cut while the command ran (the host rebooted or lost its network)"),
            output.stderrText)
        XCTAssertTrue(output.stderrText.contains("fleetctl: stop failed on 1 of 1 host"), output.stderrText)

        // While the host is down: refused at once, as a connection failure.
        let down = try fleet.fleetctl(["stop", "pi"], timeout: .seconds(30))
        XCTAssertEqual(down.code, 1, down.stderr)
        XCTAssertTrue(down.stderr.contains("fleetctl: pi: stop failed: pi: ssh: connection refused"), down.stderr)

        // Boot: sshd, then the service as its unit would start it.
        try fleet.sshd.start()
        let booted = try project.startServe(environment: ["FAKE_SLEEP": "1"])
        addTeardownBlock { if booted.poll() == nil { _ = booted.terminate(grace: .seconds(5)) } }
        AgentProject.wait("the first round after the boot") {
            ((try? project.events()) ?? []).contains {
                $0.kind == "round_start" && $0.payload["round_num"]?.intValue == interrupted + 1
            }
        }

        // The stop, again: done.
        let again = try fleet.fleetctl(["stop", "pi"])
        XCTAssertEqual(again.code, 0, again.stderr)
        XCTAssertEqual(again.stdout, "pi: stop ok (service stopped)\n")
        AgentProject.wait("the booted serve to exit") { booted.poll() != nil }
        XCTAssertEqual(booted.poll(), .terminated(0))
        let agents = (project.logFile("fake-runs") ?? "").split(separator: "\n").compactMap {
            Int32($0.split(separator: " ").last ?? "")
        }
        XCTAssertEqual(agents.filter { ProcessTree.isAlive($0) }, [], "no agent is left running")
        try project.assertEventLogIntact()
        XCTAssertNoThrow(try JSONParser.strict.parse(project.logFile("status.json") ?? ""))
        let rounds = try project.events().filter { $0.kind == "round_start" }.compactMap {
            $0.payload["round_num"]?.intValue
        }
        XCTAssertEqual(rounds, Array(1...Int64(rounds.count)), "one numbering across the reboot")
        XCTAssertGreaterThan(rounds.count, Int(interrupted))
        XCTAssertEqual(try project.events().last?.kind, "serve_stopped")
    }
}
