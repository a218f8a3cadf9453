import FleetCore
import XCTest

@testable import AgentRunnerCore

/// `agent-runner upgrade`'s flags as a request value: which build it picks, and the usage
/// errors of flags that do not go together.
final class UpgradeRequestTests: XCTestCase {
    func request(
        from: String? = nil, target: String? = nil, sha256: String? = nil, noRestart: Bool = false,
        rollback: Bool = false
    ) throws(UsageError) -> Upgrader.Request {
        try Upgrader.Request(from: from, target: target, sha256: sha256, noRestart: noRestart, rollback: rollback)
    }

    func refusal(from: String? = nil, target: String? = nil, sha256: String? = nil, rollback: Bool = false) -> String? {
        do {
            _ = try request(from: from, target: target, sha256: sha256, rollback: rollback)
            return nil
        } catch {
            XCTAssertEqual(error.verb, "upgrade")
            return error.message
        }
    }

    func testEachWayOfPickingTheBuild() throws {
        let digest = String(repeating: "ab", count: 32)
        XCTAssertEqual(
            try request(from: "-", sha256: digest).intent,
            .install(.standardInput, sha256: digest, target: nil))
        XCTAssertEqual(
            try request(from: "/tmp/b", target: "1.2.0").intent,
            .install(.file("/tmp/b"), sha256: nil, target: "1.2.0"))
        XCTAssertEqual(try request(target: "1.2.0", noRestart: true), .init(.switchTo("1.2.0"), noRestart: true))
        XCTAssertEqual(try request(rollback: true).intent, .rollback)
        XCTAssertEqual(try request().intent, .latest, "no flags: the latest build [upgrade] source lists")
        XCTAssertEqual(try request(noRestart: true), .init(.latest, noRestart: true))
    }

    func testFlagsThatDoNotGoTogether() {
        XCTAssertEqual(
            refusal(from: "/b", rollback: true),
            "--rollback takes no --from, --target or --sha256 "
                + "(it returns to the previous installed version)")
        XCTAssertEqual(
            refusal(target: "../x"),
            "--target must be a version such as 0.1.13, got '../x': it may hold only letters, digits, '.', '_', '+' "
                + "and '-' (it names a folder)")
        XCTAssertEqual(
            refusal(from: "/b", sha256: "abc"),
            "--sha256 must be 64 hex digits (sha256sum's output), got 'abc'")
        XCTAssertEqual(
            refusal(target: "1.0.0", sha256: String(repeating: "0", count: 64)),
            "--sha256 verifies the build given with --from; add --from PATH|-")
    }
}
