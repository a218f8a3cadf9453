import FleetCore
import XCTest

@testable import SSHTransport

final class LocalExecutorTests: XCTestCase {
    let host = RemoteHost(name: "local", target: try! SSHTarget("localhost"))

    func testOutcomes() {
        let executor = LocalExecutor()
        let ok = executor.runJSON(
            host: host, argv: ["/bin/sh", "-c", "echo '{\"a\": 1}'"], deadline: .now + .seconds(10))
        XCTAssertEqual(ok.document?["a"], .int(1))
        let failed = executor.run(
            host: host, argv: ["/bin/sh", "-c", "echo nope >&2; exit 3"], deadline: .now + .seconds(10))
        guard case .remoteFailure(let code, _) = failed.outcome else { return XCTFail("\(failed.outcome)") }
        XCTAssertEqual(code, 3)
        let slow = executor.run(host: host, argv: ["sleep", "30"], deadline: .now + .milliseconds(300))
        guard case .timeout = slow.outcome else { return XCTFail("\(slow.outcome)") }
        let missing = executor.run(
            host: host, argv: ["/nonexistent/agent-runner", "peek"], deadline: .now + .seconds(5))
        guard case .remoteFailure(let missingCode, _) = missing.outcome else { return XCTFail("\(missing.outcome)") }
        XCTAssertEqual(missingCode, 127)
        XCTAssertTrue(
            missing.errorMessage?.contains("cannot run /nonexistent/agent-runner") ?? false, missing.errorMessage ?? "")
        let notJSON = executor.runJSON(host: host, argv: ["echo", "hello"], deadline: .now + .seconds(5))
        guard case .badOutput = notJSON.result.outcome else { return XCTFail("\(notJSON.result.outcome)") }
    }
}
