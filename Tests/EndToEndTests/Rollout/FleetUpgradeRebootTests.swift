import FleetCore
import Foundation
import XCTest

/// `fleetctl upgrade` through a canary that loses power in the middle of its `agent-runner
/// upgrade`, on the same loopback fleet as FleetUpgradeTests. The power cut takes the host's
/// sshd (and the session running the upgrade) and every process of the host (``HostCrash``);
/// the boot brings sshd back and starts the service from bin_link, as its unit would.
extension FleetUpgradeTests {
    func testACanaryRebootingMidUpgradeFailsClearlyThenAbortAndARerunBringTheFleetToTheTarget() throws {
        let fleet = try makeFleet(["alpha", "beta"])
        let good = try build("7.6.0")
        let alpha = try XCTUnwrap(fleet.nodes["alpha"])
        let beta = try XCTUnwrap(fleet.nodes["beta"])
        let betaPID = beta.host.servePID()
        var env = ProcessRequest.currentEnvironment()
        env["FLEETCTL_INVENTORY"] = ""
        let log = fleet.root + "/rollout.log"
        let rollout = try PosixProcessRunner().spawn(ProcessRequest(
            try Harness.binary("fleetctl"),
            arguments: ["--inventory", fleet.inventory, "upgrade", "all", "--artifact", good, "--canary", "alpha", "--bake", "2s", "--gate-interval", "0.5"],
            environment: env, standardOutput: .discard, standardError: .appendToFile(log), deadline: .now + .seconds(300)))
        addTeardownBlock { if rollout.poll() == nil { _ = try? rollout.signalGroup(SIGKILL) } }

        // The power goes once alpha's bin_link is switched: the new build is starting, not yet confirmed.
        AgentProject.wait("alpha's bin_link to switch", timeout: 90) { alpha.linkTarget == alpha.versions + "/7.6.0/agent-runner" }
        let sshdPID = try XCTUnwrap(fleet.sshd.serverPID)
        let cut = ContinuousClock.now
        HostCrash.powerOff(home: alpha.host.home, roots: [sshdPID])
        fleet.sshd.stop()
        XCTAssertNil(alpha.host.servePID(), "alpha is down")

        AgentProject.wait("fleetctl to finish without alpha", timeout: 60) { rollout.poll() != nil }
        guard rollout.poll() != nil else { return }
        XCTAssertEqual(rollout.wait(), .terminated(1), "the rollout failed (exit 1, as documented)")
        XCTAssertLessThan(ContinuousClock.now - cut, .seconds(60), "fleetctl did not hang on the dead host")
        let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        XCTAssertTrue(said.contains("alpha: upgrade failed: alpha: ssh: the connection dropped"), said)
        XCTAssertTrue(said.contains("the host may be rebooting"), said)
        XCTAssertTrue(said.contains("alpha: ROLLBACK FAILED: could not be reached to roll back: alpha: ssh: connection refused"), said)
        let failed = try XCTUnwrap(fleet.journals().first)
        let id = try XCTUnwrap(failed["id"]?.stringValue)
        XCTAssertEqual(failed["status"], "failed")
        XCTAssertEqual(failed["hosts"]?["alpha"]?["state"], "rollback_failed")
        XCTAssertEqual(failed["hosts"]?["beta"]?["state"], "pending")
        assertOn(Self.oldVersion, beta)
        XCTAssertEqual(beta.host.servePID(), betaPID, "beta was not touched")

        // Boot alpha: sshd back, the service from bin_link (the new build, never confirmed).
        try fleet.sshd.start()
        let booted = try XCTUnwrap(try alpha.host.bootService(alpha.link))
        XCTAssertEqual(alpha.launchedVersion(of: booted), "7.6.0")
        XCTAssertTrue(FileManager.default.fileExists(atPath: alpha.versions + "/upgrade-in-progress.json"), "alpha's interrupted upgrade is on record")

        let resume = try fleet.fleetctl(["upgrade", "--resume", id])
        XCTAssertEqual(resume.code, 1)
        XCTAssertTrue(resume.stderr.contains("is failed; nothing to resume (fleetctl upgrade --abort \(id) rolls back what it touched)"), resume.stderr)

        // --abort: alpha's agent-runner first finishes its interrupted upgrade, then rolls it back.
        let aborted = try fleet.fleetctl(["upgrade", "--abort", id])
        XCTAssertEqual(aborted.code, 0, aborted.stderr)
        XCTAssertTrue(aborted.stderr.contains("alpha: rolled back: back on \(Self.oldVersion)"), aborted.stderr)
        assertOn(Self.oldVersion, alpha)
        XCTAssertFalse(FileManager.default.fileExists(atPath: alpha.versions + "/upgrade-in-progress.json"))
        let alphaUpgrades = try alpha.host.events().map(\.kind).filter { $0.contains("upgrade") }
        XCTAssertEqual(Array(alphaUpgrades.suffix(2)), ["upgrade_recovered", "service_upgraded"], "\(alphaUpgrades)")
        XCTAssertEqual(try alpha.host.events().last { $0.kind == "upgrade_recovered" }?.payload["action"], "finished")
        XCTAssertEqual(fleet.journals().first?["status"], "aborted")

        // A new rollout goes through: canary, then beta, each through its health gate.
        let rerun = try fleet.fleetctl(["upgrade", "all", "--artifact", good, "--canary", "alpha", "--bake", "2s", "--gate-interval", "0.5"])
        XCTAssertEqual(rerun.code, 0, rerun.stderr)
        for node in [alpha, beta] { assertOn("7.6.0", node) }
        XCTAssertEqual(fleet.journals().last?["status"], "finished")
        XCTAssertEqual(fleet.journals().last?["hosts"]?["alpha"]?["state"], "healthy")
    }
}
