import FleetCore
import Foundation
import XCTest

/// `fleetctl upgrade`'s options end to end, on the same loopback fleet as FleetUpgradeTests:
/// `--abort`, `--max-failures`, `--include-unreachable` and `{arch}` in the artifact path.
extension FleetUpgradeTests {
    /// Adds a host `dead` to the fleet's inventory whose ssh is refused at once (port 1).
    func addUnreachableHost(_ fleet: Fleet) throws {
        let inventory = try String(contentsOfFile: fleet.inventory, encoding: .utf8)
        let config = fleet.root + "/ssh_config_with_dead"
        // The Include first: placed after a Host line, it would belong to that host's block.
        try Harness.write(
            "Include \(fleet.sshd.clientConfig)\n\nHost dead\n  HostName 127.0.0.1\n  Port 1\n", to: config)
        try Harness.write(
            inventory.replacingOccurrences(
                of: "ssh_config = \"\(fleet.sshd.clientConfig)\"", with: "ssh_config = \"\(config)\"")
                + "\n[hosts.dead]\nconfig = \"/nowhere/agent-runner.toml\"\n", to: fleet.inventory)
    }

    func testNoRollbackLeavesTheCanaryForInspectionThenAbortRollsItBack() throws {
        let fleet = try makeFleet(["alpha", "beta"])
        let fragile = try build("7.5.0", diesAfter: 3)
        let alpha = try XCTUnwrap(fleet.nodes["alpha"])
        let failed = try fleet.fleetctl([
            "upgrade", "all", "--artifact", fragile, "--canary", "alpha", "--bake", "8s", "--gate-interval", "0.5",
            "--no-rollback",
        ])
        XCTAssertEqual(failed.code, 1, failed.stderr)
        XCTAssertTrue(failed.stderr.contains("alpha: health gate failed: its service is not running"), failed.stderr)
        assertOn("7.5.0", alpha, running: false)
        XCTAssertNil(alpha.host.servePID(), "left as it failed, for inspection")
        assertOn(Self.oldVersion, try XCTUnwrap(fleet.nodes["beta"]))
        let journal = try XCTUnwrap(fleet.journals().first)
        XCTAssertEqual(journal["status"], "failed")
        let id = try XCTUnwrap(journal["id"]?.stringValue)
        let resume = try fleet.fleetctl(["upgrade", "--resume", id])
        XCTAssertEqual(resume.code, 1)
        XCTAssertTrue(
            resume.stderr.contains(
                "is failed; nothing to resume (fleetctl upgrade --abort \(id) rolls back what it touched)"),
            resume.stderr)

        let aborted = try fleet.fleetctl(["upgrade", "--abort", id])
        XCTAssertEqual(aborted.code, 0, aborted.stderr)
        assertOn(Self.oldVersion, alpha)
        XCTAssertEqual(fleet.journals().first?["status"], "aborted")
        XCTAssertEqual(fleet.journals().first?["hosts"]?["alpha"]?["state"], "rolled_back")
        XCTAssertEqual(fleet.journals().first?["hosts"]?["beta"]?["state"], "pending", "beta was never touched")
    }

    func testMaxFailuresLetsTheRolloutFinishAroundAFailedHostAndTheExitSaysSo() throws {
        let fleet = try makeFleet(["alpha", "beta", "gamma"])
        let picky = try build("7.6.0", smoke: .marked)
        let beta = try XCTUnwrap(fleet.nodes["beta"])
        try Harness.write("", to: beta.host.environment["HOME"]! + "/FAIL_SMOKE")
        let result = try fleet.fleetctl([
            "upgrade", "all", "--artifact", picky, "--canary", "alpha", "--batch", "2", "--bake", "2s",
            "--gate-interval", "0.5", "--max-failures", "1",
        ])
        XCTAssertEqual(result.code, 1, "a host failed, even though the rollout went on: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("beta: upgrade failed"), result.stderr)
        XCTAssertTrue(
            result.stderr.contains("finished with 1 failed host (tolerated by --max-failures 1): beta"), result.stderr)
        assertOn("7.6.0", try XCTUnwrap(fleet.nodes["alpha"]))
        assertOn("7.6.0", try XCTUnwrap(fleet.nodes["gamma"]))
        assertOn(Self.oldVersion, beta)  // its own upgrade rolled back after the failed smoke
        let journal = try XCTUnwrap(fleet.journals().first)
        XCTAssertEqual(journal["status"], "finished")
        XCTAssertEqual(journal["hosts"]?["beta"]?["state"], "failed")
        XCTAssertEqual(journal["hosts"]?["gamma"]?["state"], "healthy")
    }

    func testUnreachableHostsAreLeftOutUnlessIncludedAndThenStopTheRollout() throws {
        let fleet = try makeFleet(["alpha", "beta"])
        try addUnreachableHost(fleet)
        let good = try build("7.7.0")
        let plan = try fleet.fleetctl([
            "upgrade", "all", "--artifact", good, "--canary", "alpha", "--batch", "100%", "--dry-run", "--json",
        ])
        XCTAssertEqual(plan.code, 0, plan.stderr)
        let document = try JSONParser.strict.parse(plan.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(document["skipped"]?[0]?["host"], "dead")
        XCTAssertEqual(document["skipped"]?[0]?["reason"], "unreachable")
        XCTAssertEqual(document["stages"]?[1]?["hosts"], ["beta"])

        // Included, it fails its upgrade in batch 1: past --max-failures 0, the rollout stops
        // and rolls back every host it touched, the canary of the earlier stage included.
        let included = try fleet.fleetctl([
            "upgrade", "all", "--artifact", good, "--canary", "alpha", "--batch", "100%", "--bake", "2s",
            "--gate-interval", "0.5", "--include-unreachable",
        ])
        XCTAssertEqual(included.code, 1, included.stderr)
        XCTAssertTrue(included.stderr.contains("dead: upgrade failed"), included.stderr)
        XCTAssertTrue(included.stderr.contains("more than --max-failures 0"), included.stderr)
        for name in ["alpha", "beta"] { assertOn(Self.oldVersion, try XCTUnwrap(fleet.nodes[name])) }
        let journal = try XCTUnwrap(fleet.journals().last)
        XCTAssertEqual(journal["status"], "failed")
        XCTAssertEqual(journal["hosts"]?["alpha"]?["state"], "rolled_back")
        XCTAssertEqual(
            journal["hosts"]?["dead"]?["state"], "unreached", "ssh never reached it: nothing to roll back there")
        XCTAssertTrue(included.stderr.contains("(not reached: nothing changed there)"), included.stderr)
        XCTAssertFalse(included.stderr.contains("ROLLBACK FAILED"), included.stderr)
    }

    func testArchPlaceholderPicksEachHostsBuild() throws {
        let fleet = try makeFleet(["alpha"])
        let uname = try PosixProcessRunner().run(
            ProcessRequest("uname", arguments: ["-m"], deadline: .now + .seconds(10)))
        let arch = uname.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let folder = fleet.root + "/builds"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try build("7.8.0"), toPath: folder + "/agent-runner-\(arch)")
        let result = try fleet.fleetctl([
            "upgrade", "all", "--artifact", folder + "/agent-runner-{arch}", "--bake", "1s", "--gate-interval", "0.5",
        ])
        XCTAssertEqual(result.code, 0, result.stderr)
        assertOn("7.8.0", try XCTUnwrap(fleet.nodes["alpha"]))
        XCTAssertEqual(
            try XCTUnwrap(fleet.journals().first)["settings"]?["artifact"]?.stringValue, folder + "/agent-runner-{arch}"
        )

        // No build for the host's architecture: a clear failure naming the path, nothing changed.
        let missing = try fleet.fleetctl([
            "upgrade", "all", "--artifact", folder + "/missing-{arch}", "--target", "7.9.0", "--bake", "1s",
        ])
        XCTAssertEqual(missing.code, 1, missing.stderr)
        XCTAssertTrue(missing.stderr.contains(folder + "/missing-\(arch)"), missing.stderr)
        assertOn("7.8.0", try XCTUnwrap(fleet.nodes["alpha"]))
    }
}
