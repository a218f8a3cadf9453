import FleetCore
import XCTest

/// `fleetctl watch` refuses a bad command line before it polls anything: exit 64 and one line
/// saying which flag is wrong and what it should look like. No host is contacted.
final class FleetWatchUsageTests: XCTestCase {
    /// `1.2.3.٣` has a Unicode digit (ARABIC-INDIC THREE) that passed the octet check and then
    /// trapped fleetctl on a force-unwrap.
    func testMetricsListenWithUnicodeDigitsIsAUsageError() throws {
        let root = try Harness.temporaryDirectory(self)
        try Harness.write("[hosts.pi]\nssh = \"pi.invalid\"\n", to: root + "/inventory.toml")
        let watch = try Harness.run(
            "fleetctl",
            [
                "watch", "--metrics-listen", "1.2.3.٣:9100", "--state-dir", root + "/state", "-i",
                root + "/inventory.toml",
            ],
            timeout: .seconds(20))
        XCTAssertEqual(watch.exit, .terminated(ExitCode.usage), watch.stderr)
        XCTAssertTrue(
            watch.stderr.hasPrefix(
                "fleetctl: --metrics-listen must be IPV4-ADDRESS:PORT (e.g. 127.0.0.1:9464), got '1.2.3.٣:9100'\n"),
            watch.stderr)
        XCTAssertEqual(watch.stdout, "")
    }

    /// The dashboard has no login: a non-loopback `--http` needs `--http-allow-remote`, and a
    /// port in use fails before any poll.
    func testTheDashboardRefusesNonLoopbackAddressesAndATakenPort() throws {
        let root = try Harness.temporaryDirectory(self)
        try Harness.write("[hosts.pi]\nssh = \"pi.invalid\"\n", to: root + "/inventory.toml")
        func watch(_ arguments: [String]) throws -> Harness.Result {
            try Harness.run(
                "fleetctl",
                ["watch", "--once", "--state-dir", root + "/state", "-i", root + "/inventory.toml"] + arguments,
                timeout: .seconds(20))
        }
        let remote = try watch(["--http", "0.0.0.0:8080"])
        XCTAssertEqual(remote.exit, .terminated(ExitCode.usage), remote.stderr)
        XCTAssertTrue(
            remote.stderr.hasPrefix(
                "fleetctl: --http 0.0.0.0:8080 would show the fleet to anyone who can reach 0.0.0.0"),
            remote.stderr)
        XCTAssertTrue(remote.stderr.contains("--http-allow-remote"), remote.stderr)
        let alone = try watch(["--http-allow-remote"])
        XCTAssertEqual(alone.exit, .terminated(ExitCode.usage), alone.stderr)
        XCTAssertTrue(alone.stderr.hasPrefix("fleetctl: --http-allow-remote needs --http ADDRESS:PORT"), alone.stderr)
        let malformed = try watch(["--http", "localhost:80"])
        XCTAssertEqual(malformed.exit, .terminated(ExitCode.usage), malformed.stderr)

        let taken = try HTTPServer.listen(port: 0)
        let busy = try watch(["--http", "127.0.0.1:\(taken.port)"])
        XCTAssertEqual(busy.exit, .terminated(ExitCode.failure), busy.stderr)
        XCTAssertTrue(busy.stderr.contains("port \(taken.port) in use"), busy.stderr)
        XCTAssertTrue(busy.stderr.contains("try --http <other>"), busy.stderr)
        // The metrics endpoint's pool was released the same way, and trapped the same way.
        let metrics = try watch(["--metrics-listen", "127.0.0.1:\(taken.port)"])
        XCTAssertEqual(metrics.exit, .terminated(ExitCode.failure), metrics.stderr)
        XCTAssertTrue(metrics.stderr.contains("try --metrics-listen <other>"), metrics.stderr)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: root + "/state/fleet-events-" + DemoTests.month() + ".jsonl"),
            "nothing was polled")
    }
}
