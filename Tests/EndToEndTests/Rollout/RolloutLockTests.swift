import FleetControl
import FleetCore
import Foundation
import XCTest

/// One fleetctl at a time per rollout, and no second rollout over hosts a running one owns.
/// Real `fleetctl` processes; the hosts are ssh aliases to a closed port (no remote work is
/// needed: both refusals happen before any host is touched).
final class RolloutLockTests: XCTestCase {
    private var root = ""
    private var inventory: String { root + "/inventory.toml" }
    private var stateDir: String { root + "/state" }

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "rollout-lock-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: stateDir + "/rollouts", withIntermediateDirectories: true)
        // Port 1 on loopback: every ssh to these hosts is refused at once.
        try "Host *\n  HostName 127.0.0.1\n  Port 1\n  ConnectTimeout 2\n  BatchMode yes\n".write(
            toFile: root + "/ssh_config", atomically: true, encoding: .utf8)
        try """
        [defaults]
        ssh_config = "\(root)/ssh_config"
        config = "/srv/agent/agent-runner.toml"

        [hosts.alpha]
        [hosts.beta]
        [hosts.gamma]
        """.write(toFile: inventory, atomically: true, encoding: .utf8)
        // A build that says its version, as `fleetctl upgrade --artifact` requires.
        try "#!/bin/sh\necho 'agent-runner 9.9.9'\n".write(
            toFile: root + "/agent-runner-new", atomically: true, encoding: .utf8)
        chmod(root + "/agent-runner-new", 0o755)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func writeJournal(id: String, hosts: [String], status: RolloutJournal.Status) throws {
        let candidates = hosts.map { RolloutCandidate(name: $0, version: "0.1.0", reachable: true) }
        let plan = RolloutPlanner.plan(
            candidates: candidates, target: "9.9.9", canary: [], batch: BatchSize("100%")!, includeUnreachable: false)
        var journal = RolloutJournal(id: id, plan: plan, createdAt: "2026-11-25T12:00:00.000Z")
        journal.status = status
        journal.settings = .init(artifact: root + "/agent-runner-new", bakeS: 1)
        try JSONWriter(style: .pretty(indent: 2)).string(journal.json).write(
            toFile: stateDir + "/rollouts/\(id).json", atomically: true, encoding: .utf8)
    }

    private func fleetctl(_ arguments: [String]) throws -> Harness.Result {
        try Harness.run(
            "fleetctl", ["--inventory", inventory] + arguments + ["--state-dir", stateDir],
            environment: ["FLEETCTL_INVENTORY": ""], timeout: .seconds(60))
    }

    func testResumeIsRefusedWhileAnotherFleetctlRunsTheRollout() throws {
        try writeJournal(id: "20261125-120000", hosts: ["alpha", "beta"], status: .finished)
        // This test process stands in for the fleetctl running the rollout: it holds the lock.
        let held = try FileLock.acquire(stateDir + "/rollouts/20261125-120000.lock")
        for verb in ["--resume", "--abort"] {
            let refused = try fleetctl(["upgrade", verb, "20261125-120000"])
            XCTAssertEqual(refused.code, 1, refused.stderr)
            XCTAssertTrue(
                refused.stderr.contains("rollout 20261125-120000 is being run by fleetctl process \(getpid())"),
                refused.stderr)
            XCTAssertTrue(refused.stderr.contains("fleetctl upgrade --resume 20261125-120000"), refused.stderr)
        }
        held.release()
        // Released: fleetctl gets past the lock and reads the journal (finished: nothing to resume).
        let after = try fleetctl(["upgrade", "--resume", "20261125-120000"])
        XCTAssertEqual(after.code, 1)
        XCTAssertTrue(after.stderr.contains("rollout 20261125-120000 is finished; nothing to resume"), after.stderr)
        // An id that is not a file name is refused before any lock file is created.
        let hostile = try fleetctl(["upgrade", "--resume", "../escape"])
        XCTAssertEqual(hostile.code, 64, hostile.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stateDir + "/escape.lock"))
    }

    func testNewRolloutIsRefusedOverHostsOfARunningOne() throws {
        try writeJournal(id: "20261125-110000", hosts: ["alpha", "beta"], status: .running)
        let upgrade = [
            "--artifact", root + "/agent-runner-new", "--target", "9.9.9", "--include-unreachable", "--bake", "1s",
        ]
        let refused = try fleetctl(["upgrade", "beta,gamma"] + upgrade)
        XCTAssertEqual(refused.code, 1, refused.stderr)
        XCTAssertTrue(
            refused.stderr.contains("rollout 20261125-110000 to 9.9.9 is still running on beta;"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("fleetctl upgrade --abort 20261125-110000"), refused.stderr)
        let journals = try FileManager.default.contentsOfDirectory(atPath: stateDir + "/rollouts").filter {
            $0.hasSuffix(".json")
        }
        XCTAssertEqual(journals, ["20261125-110000.json"], "no second journal was started")
        // Disjoint hosts are not held back (the dry run gets as far as the plan).
        let disjoint = try fleetctl(["upgrade", "gamma", "--dry-run"] + upgrade)
        XCTAssertEqual(disjoint.code, 0, disjoint.stderr)
    }
}
