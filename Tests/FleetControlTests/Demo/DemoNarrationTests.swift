import FleetCore
import XCTest

@testable import FleetControl

/// What `fleetctl demo` prints around the watch, and what a service's own exit means, as values.
final class DemoNarrationTests: XCTestCase {
    let fleet = DemoFleet(root: "/tmp/demo")

    func testIntroductionAndWatching() {
        XCTAssertEqual(
            DemoNarration.introduction(fleet, hosts: 4),
            """
            fleetctl demo: 4 agent-runner projects in /tmp/demo
              healthy    works round after round
              throttled  hits a provider rate limit once; serve waits for the reset, then carries on
              authfail   its credentials are revoked: every round fails with 401; fleetctl auto-stops it
              crashloop  crashes at once every round; serve's crash-loop breaker stops it (exit 75)

            """)
        XCTAssertEqual(
            DemoNarration.watching(fleet, ssh: nil),
            "  inventory: /tmp/demo/inventory.toml; hook log: /tmp/demo/hooks.log\n"
                + "  watching (Ctrl-C to stop everything)...\n\n")
    }

    func testClosingNamesTheHookLogOnlyWhenItHasLines() {
        let explore = """
            explore: agent-runner peek --config /tmp/demo/throttled/agent-runner.toml
                     agent-runner events --config /tmp/demo/authfail/agent-runner.toml \
            --kind agent_auth_error_detected,monitor_auto_stop_triggered
                     fleetctl check -i /tmp/demo/inventory.toml

            """
        XCTAssertEqual(
            DemoNarration.closing(fleet, services: 4, hookLines: ""),
            "\nfleetctl demo: stopping 4 agent-runner services...\n" + explore)
        let hook = "12:00:00 firing critical authfail oauth_fail\n"
        XCTAssertEqual(
            DemoNarration.closing(fleet, services: 2, hookLines: hook),
            "\nfleetctl demo: stopping 2 agent-runner services...\n"
                + "hook notifications (/tmp/demo/hooks.log):\n" + hook + explore)
    }

    func testServiceExits() {
        let breaker = DemoServices.Exit(host: "crashloop", status: .terminated(ExitCode.crashLoop))
        XCTAssertEqual(
            breaker.line,
            "crashloop: agent-runner serve exited (exit 75, crash_loop breaker: 5 short crashes in a row)")
        XCTAssertEqual(
            JSONWriter(style: .compact).string(.object(breaker.json)),
            #"{"type":"serve_exit","host":"crashloop","status":"exit 75","#
                + #""meaning":"crash_loop breaker: 5 short crashes in a row"}"#)
        XCTAssertEqual(DemoServices.Exit(host: "authfail", status: .terminated(0)).meaning, "stopped cleanly")
        XCTAssertEqual(DemoServices.Exit(host: "x", status: .terminated(ExitCode.config)).meaning, "config_broken")
    }

    func testAgentRunnerGivenMustBeExecutable() {
        XCTAssertNil(AgentRunnerLocator.locate("/nonexistent/agent-runner", environment: [:], currentDirectory: "/"))
        XCTAssertEqual(AgentRunnerLocator.locate("/bin/sh", environment: [:], currentDirectory: "/tmp"), "/bin/sh")
    }
}
