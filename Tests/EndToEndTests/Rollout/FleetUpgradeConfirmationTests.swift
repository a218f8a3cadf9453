import FleetCore
import Foundation
import XCTest

/// `fleetctl upgrade` without a SELECTOR (every host, the build and the canary from the
/// inventory's `[upgrade]`) and its confirmation: without a terminal it needs `--yes` or a
/// SELECTOR; on a terminal (a real pseudo-terminal, util-linux's `script`) it asks, and only a yes
/// starts it. On the same loopback fleet as FleetUpgradeTests.
extension FleetUpgradeTests {
    /// Adds `[upgrade]` to the fleet's inventory: `artifact`, canary alpha, a 1 s bake.
    func setUpgradeDefaults(_ fleet: Fleet, artifact: String) throws {
        let inventory = try String(contentsOfFile: fleet.inventory, encoding: .utf8)
        try Harness.write(
            inventory + "\n[upgrade]\nartifact = \"\(artifact)\"\ncanary = \"alpha\"\nbake = \"1s\"\n",
            to: fleet.inventory)
    }

    /// The plan's build line for `path`, as fleetctl prints it.
    func buildLine(_ version: String, _ path: String) throws -> String {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        return "  build: agent-runner \(version), sha256 \(SHA256.hex(of: bytes)) (\(path))\n"
    }

    func testWithoutATerminalEveryHostNeedsYesWhileANamedSelectorGoesOn() throws {
        let fleet = try makeFleet(["alpha", "beta"])
        let good = try build("7.10.0")
        try setUpgradeDefaults(fleet, artifact: good)
        let pids = fleet.nodes.mapValues { $0.host.servePID() }

        let refused = try fleet.fleetctl(["upgrade", "--gate-interval", "0.5"])
        XCTAssertEqual(refused.code, 64, refused.stderr)
        XCTAssertTrue(
            refused.stderr.hasPrefix(
                "rollout to 7.10.0: 2 hosts in 2 stages\n  canary: alpha\n  batch 1: beta\n"
                    + (try buildLine("7.10.0", good))
                    + "fleetctl: without a SELECTOR, upgrade rolls out to every host (2 planned above) and there is "
                    + "no terminal to confirm it: pass --yes, or name the hosts (fleetctl upgrade all)\n"),
            refused.stderr)
        for (name, node) in fleet.nodes {
            assertOn(Self.oldVersion, node)
            XCTAssertEqual(node.host.servePID(), pids[name] ?? nil, "\(name) untouched")
        }
        XCTAssertEqual(fleet.journals(), [], "nothing started")

        // A script that names its hosts keeps working without --yes.
        let named = try fleet.fleetctl(["upgrade", "alpha", "--gate-interval", "0.5"])
        XCTAssertEqual(named.code, 0, named.stderr)
        assertOn("7.10.0", try XCTUnwrap(fleet.nodes["alpha"]))
        assertOn(Self.oldVersion, try XCTUnwrap(fleet.nodes["beta"]))

        // --yes: every host; alpha is already there and said to be skipped.
        let all = try fleet.fleetctl(["upgrade", "--yes", "--gate-interval", "0.5"])
        XCTAssertEqual(all.code, 0, all.stderr)
        XCTAssertTrue(
            all.stderr.hasPrefix(
                "rollout to 7.10.0: 1 host in 1 stage\n  batch 1: beta\n  skip alpha: already on 7.10.0\n"
                    + (try buildLine("7.10.0", good))), all.stderr)
        for node in fleet.nodes.values { assertOn("7.10.0", node) }
        XCTAssertEqual(fleet.journals().count, 2)
        XCTAssertEqual(fleet.journals().last?["stages"]?[0]?["hosts"], ["beta"])
    }

    func testOnATerminalThePlanIsConfirmedBeforeAnyHostIsTouched() throws {
        let fleet = try makeFleet(["alpha", "beta"])
        let good = try build("7.11.0")
        try setUpgradeDefaults(fleet, artifact: good)
        let pids = fleet.nodes.mapValues { $0.host.servePID() }
        let fleetctl = try Harness.binary("fleetctl")
        /// `fleetctl upgrade` on a pseudo-terminal made by `script`, `answer` typed on it.
        func onTerminal(_ answer: String) throws -> ProcessOutput {
            var env = ProcessRequest.currentEnvironment()
            env["FLEETCTL_INVENTORY"] = fleet.inventory
            return try PosixProcessRunner().run(
                ProcessRequest(
                    "script",
                    arguments: ["-q", "-e", "-c", "exec '\(fleetctl)' upgrade --gate-interval 0.5", "/dev/null"],
                    environment: env, standardInput: .bytes(Array(answer.utf8)), deadline: .now + .seconds(120)))
        }

        let declined = try onTerminal("n\n")
        XCTAssertEqual(declined.exit, .terminated(1), declined.stdoutText)
        let shown = declined.stdoutText.replacingOccurrences(of: "\r\n", with: "\n")
        let plan =
            "rollout to 7.11.0: 2 hosts in 2 stages\n  canary: alpha\n  batch 1: beta\n"
            + (try buildLine("7.11.0", good))
        XCTAssertTrue(shown.contains(plan + "fleetctl: start the rollout to 7.11.0 on 2 hosts? [y/N] "), shown)
        XCTAssertTrue(shown.hasSuffix("fleetctl: rollout not started; no host was touched\n"), shown)
        for (name, node) in fleet.nodes {
            assertOn(Self.oldVersion, node)
            XCTAssertEqual(node.host.servePID(), pids[name] ?? nil, "\(name) untouched")
        }
        XCTAssertEqual(fleet.journals(), [], "nothing started")

        let confirmed = try onTerminal("y\n")
        XCTAssertEqual(confirmed.exit, .terminated(0), confirmed.stdoutText)
        let progress = confirmed.stdoutText.replacingOccurrences(of: "\r\n", with: "\n")
        XCTAssertTrue(progress.contains(plan + "fleetctl: start the rollout to 7.11.0 on 2 hosts? [y/N] "), progress)
        XCTAssertTrue(progress.contains("rollout "), progress)
        for node in fleet.nodes.values { assertOn("7.11.0", node) }
        let journal = try XCTUnwrap(fleet.journals().first)
        XCTAssertEqual(journal["status"], "finished")
        XCTAssertEqual(journal["stages"]?[0]?["label"], "canary")
        XCTAssertEqual(journal["stages"]?[0]?["hosts"], ["alpha"])
        XCTAssertEqual(journal["stages"]?[1]?["hosts"], ["beta"])
    }
}
