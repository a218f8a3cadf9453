import FleetCore
import Foundation
import XCTest

/// `fleetctl upgrade` through a canary that loses power in the middle of its `agent-runner
/// upgrade`, on the same loopback fleet as FleetUpgradeTests. The power cut takes the host's
/// sshd (and the session running the upgrade) and every process of the host (``HostCrash``);
/// the boot brings sshd back and starts the service from bin_link, as its unit would.
extension FleetUpgradeTests {
    /// Starts a rollout of `artifact` (version `version`) with alpha as its canary, cuts alpha's
    /// power once its bin_link points at the new build (started, not yet confirmed), waits for
    /// fleetctl to give up on it, then boots alpha. Returns the failed rollout's id and what
    /// fleetctl printed.
    func rolloutWithCanaryPowerCut(
        _ fleet: Fleet, artifact: String, version: String
    ) throws -> (id: String, said: String) {
        let alpha = try XCTUnwrap(fleet.nodes["alpha"])
        var env = ProcessRequest.currentEnvironment()
        env["FLEETCTL_INVENTORY"] = ""
        let log = fleet.root + "/rollout.log"
        let rollout = try PosixProcessRunner().spawn(
            ProcessRequest(
                try Harness.binary("fleetctl"),
                arguments: [
                    "--inventory", fleet.inventory, "upgrade", "all", "--artifact", artifact, "--canary", "alpha",
                    "--bake", "2s", "--gate-interval", "0.5",
                ],
                environment: env, standardOutput: .discard, standardError: .appendToFile(log),
                deadline: .now + .seconds(300)))
        addTeardownBlock { if rollout.poll() == nil { _ = try? rollout.signalGroup(SIGKILL) } }

        AgentProject.wait("alpha's bin_link to switch", timeout: 90) {
            alpha.linkTarget == alpha.versions + "/\(version)/agent-runner"
        }
        let sshdPID = try XCTUnwrap(fleet.sshd.serverPID)
        let cut = ContinuousClock.now
        HostCrash.powerOff(home: alpha.host.home, roots: [sshdPID])
        fleet.sshd.stop()
        XCTAssertNil(alpha.host.servePID(), "alpha is down")

        AgentProject.wait("fleetctl to finish without alpha", timeout: 60) { rollout.poll() != nil }
        XCTAssertEqual(rollout.wait(), .terminated(1), "the rollout failed (exit 1, as documented)")
        XCTAssertLessThan(ContinuousClock.now - cut, .seconds(60), "fleetctl did not hang on the dead host")
        let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let id = try XCTUnwrap(fleet.journals().first?["id"]?.stringValue)

        // Boot alpha: sshd back, the service from bin_link (the new build, never confirmed).
        try fleet.sshd.start()
        let booted = try XCTUnwrap(try alpha.host.bootService(alpha.link))
        XCTAssertEqual(alpha.launchedVersion(of: booted), version)
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: alpha.versions + "/upgrade-in-progress.json"),
            "alpha's interrupted upgrade is on record")
        return (id, said)
    }

    func testACanaryRebootingMidUpgradeFailsClearlyThenAbortAndARerunBringTheFleetToTheTarget() throws {
        let fleet = try makeFleet(["alpha", "beta"])
        let good = try build("7.6.0")
        let alpha = try XCTUnwrap(fleet.nodes["alpha"])
        let beta = try XCTUnwrap(fleet.nodes["beta"])
        let betaPID = beta.host.servePID()
        let (id, said) = try rolloutWithCanaryPowerCut(fleet, artifact: good, version: "7.6.0")
        XCTAssertTrue(said.contains("alpha: upgrade failed: alpha: ssh: the connection dropped"), said)
        XCTAssertTrue(said.contains("the host may be rebooting"), said)
        XCTAssertTrue(
            said.contains("alpha: ROLLBACK FAILED: could not be reached to roll back: alpha: ssh: connection refused"),
            said)
        let failed = try XCTUnwrap(fleet.journals().first)
        XCTAssertEqual(failed["status"], "failed")
        XCTAssertEqual(failed["hosts"]?["alpha"]?["state"], "rollback_failed")
        XCTAssertEqual(failed["hosts"]?["beta"]?["state"], "pending")
        assertOn(Self.oldVersion, beta)
        XCTAssertEqual(beta.host.servePID(), betaPID, "beta was not touched")

        let resume = try fleet.fleetctl(["upgrade", "--resume", id])
        XCTAssertEqual(resume.code, 1)
        XCTAssertTrue(
            resume.stderr.contains(
                "is failed; nothing to resume (fleetctl upgrade --abort \(id) rolls back what it touched)"),
            resume.stderr)

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
        let rerun = try fleet.fleetctl([
            "upgrade", "all", "--artifact", good, "--canary", "alpha", "--bake", "2s", "--gate-interval", "0.5",
        ])
        XCTAssertEqual(rerun.code, 0, rerun.stderr)
        for node in [alpha, beta] { assertOn("7.6.0", node) }
        XCTAssertEqual(fleet.journals().last?["status"], "finished")
        XCTAssertEqual(fleet.journals().last?["hosts"]?["alpha"]?["state"], "healthy")
    }

    /// Straight to a new rollout after the boot, without `--abort`: alpha reports the target
    /// version (its bin_link's) but also its unfinished upgrade, so the plan takes it again
    /// instead of skipping it as "already on the target", and it goes through its health gate.
    func testANewRolloutAfterTheRebootTakesTheUnconfirmedCanaryAgain() throws {
        let fleet = try makeFleet(["alpha", "beta"])
        let good = try build("7.6.1")
        let alpha = try XCTUnwrap(fleet.nodes["alpha"])
        _ = try rolloutWithCanaryPowerCut(fleet, artifact: good, version: "7.6.1")
        let peek = try fleet.fleetctl(["peek", "alpha", "--select", "upgrade_in_progress.to_version"])
        XCTAssertEqual(peek.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "\"7.6.1\"", peek.stderr)

        let rerun = try fleet.fleetctl([
            "upgrade", "all", "--artifact", good, "--canary", "alpha", "--bake", "2s", "--gate-interval", "0.5",
        ])
        XCTAssertEqual(rerun.code, 0, rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("canary: alpha"), "alpha is in the plan, not skipped: \(rerun.stderr)")
        XCTAssertTrue(rerun.stderr.contains("canary passed its health gate (alpha)"), rerun.stderr)
        for node in fleet.nodes.values { assertOn("7.6.1", node) }
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: alpha.versions + "/upgrade-in-progress.json"),
            "the record is settled")
        XCTAssertEqual(fleet.journals().last?["hosts"]?["alpha"]?["state"], "healthy")
        XCTAssertEqual(try alpha.host.events().last { $0.kind == "upgrade_recovered" }?.payload["action"], "finished")
    }
}
