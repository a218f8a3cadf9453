import XCTest

@testable import AgentRunnerCore

/// `install` on a host without systemd leads with `agent-runner start`.
final class SystemdPresenceTests: XCTestCase {
    func testTheRuntimeDirectoryMeansSystemdRuns() {
        XCTAssertEqual(
            SystemdPresence.decide(runtimeDirectoryExists: true, systemctlFound: true, systemState: nil), .running)
    }

    func testASystemctlThatCanOnlySayOfflineMeansNoSystemd() {
        XCTAssertEqual(
            SystemdPresence.decide(runtimeDirectoryExists: false, systemctlFound: true, systemState: "offline\n"),
            .absent(reason: "no /run/systemd/system, and systemctl says \"offline\""))
        let notBooted =
            "System has not been booted with systemd as init system (PID 1). Can't operate.\n"
            + "Failed to connect to bus: Host is down\n"
        XCTAssertEqual(
            SystemdPresence.decide(runtimeDirectoryExists: false, systemctlFound: true, systemState: notBooted),
            .absent(
                reason:
                    "no /run/systemd/system, and systemctl says \"System has not been booted with systemd as init "
                    + "system (PID 1). Can't operate.\""))
        XCTAssertEqual(
            SystemdPresence.decide(runtimeDirectoryExists: true, systemctlFound: false, systemState: nil),
            .absent(reason: "no systemctl on PATH"))
    }

    /// A manager that answers (a container's systemd, a degraded host) is a systemd.
    func testAnAnsweringManagerIsASystemd() {
        for state in ["running", "degraded", "starting"] {
            XCTAssertEqual(
                SystemdPresence.decide(runtimeDirectoryExists: false, systemctlFound: true, systemState: state + "\n"),
                .running, state)
        }
    }

    func testTheAdviceLeadsWithStartAndNeverMentionsLinger() {
        let advice = SystemdPresence.installAdvice(reason: "no systemctl on PATH", workDir: "/srv/p")
        XCTAssertTrue(
            advice.hasPrefix(
                "this host does not run systemd (no systemctl on PATH), so there is no unit to install. Run serve "
                    + "without it: agent-runner start"), advice)
        XCTAssertTrue(advice.contains("'cd /srv/p && agent-runner start'"), advice)
        XCTAssertFalse(advice.contains("linger"), advice)
    }
}
