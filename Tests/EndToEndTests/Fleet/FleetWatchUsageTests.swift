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
}
