import FleetCore
import XCTest

@testable import AgentRunnerCore

/// Each payload equals the object serve wrote inline before the events were typed.
final class ServeEventsTests: XCTestCase {
    func testServeStartedAndStopped() {
        assertPayload(
            ServeStarted(pid: 4242, version: "1.2.3", configPath: "/srv/p/agent-runner.toml", maxRounds: 2),
            equals: JSONObject([
                ("pid", .int(4242)), ("version", .string("1.2.3")),
                ("config_path", .string("/srv/p/agent-runner.toml")), ("max_rounds", .int(2)),
            ]))
        assertPayload(
            ServeStarted(pid: 1, version: "v", configPath: "c", maxRounds: nil),
            equals: JSONObject([("pid", .int(1)), ("version", "v"), ("config_path", "c"), ("max_rounds", .null)]))
        assertPayload(
            ServeStopped(reason: "crash_loop", roundsCompleted: 5, exitCode: 75),
            equals: JSONObject([
                ("reason", .string("crash_loop")), ("rounds_completed", .int(5)), ("exit_code", .int(75)),
            ]))
    }

    func testStopTriggers() {
        assertPayload(
            AgentSelfTerminated(reason: "all tasks complete\n"), equals: ["reason": .string("all tasks complete\n")])
        assertPayload(
            StopFileDetected(stopFile: "/p/STOP", content: "maintenance", roundsCompleted: 0),
            equals: JSONObject([
                ("stop_file", .string("/p/STOP")), ("content", .string("maintenance")),
                ("rounds_completed", .int(0)),
            ]))
        assertPayload(
            MaxRoundsReached(roundsCompleted: 2, maxRounds: 2),
            equals: JSONObject([("rounds_completed", .int(2)), ("max_rounds", .int(2))]))
    }

    func testBreakers() {
        let failures = [
            StartupBattery.Failure(check: "log_dir_writable", reason: "disk full", howToFix: "free", permanent: false),
            StartupBattery.Failure(
                check: "prompt_smoke_passes", reason: "prompt is 9 bytes < 500 minimum", howToFix: "x",
                permanent: true),
            StartupBattery.Failure(
                check: "agent_cli_in_path", reason: "'claude' not found", howToFix: "y", permanent: true),
        ]
        let reason =
            "startup battery failed permanently: "
            + failures.filter(\.permanent)
            .map { "\($0.check): \($0.reason)" }.joined(separator: "; ")
        assertPayload(ConfigBroken(permanentFailures: failures), equals: ["reason": .string(reason)])
        assertPayload(
            CrashLoop(consecutive: 5, exitCode: 3, reason: "tail"),
            equals: JSONObject([("consecutive", .int(5)), ("exit_code", .int(3)), ("reason", .string("tail"))]))
        assertPayload(
            CrashLoop(consecutive: 5, exitCode: 127, reason: "the agent could not be started"),
            equals: JSONObject([
                ("consecutive", .int(5)), ("exit_code", .int(127)),
                ("reason", "the agent could not be started"),
            ]))
    }

    func testBootHousekeeping() {
        assertPayload(
            StaleAgentKilled(pid: 999, processes: 3), equals: JSONObject([("pid", .int(999)), ("processes", .int(3))]))
        let logDir = "/home/op/.agent-runner/p/logs"
        assertPayload(
            RoundLogsPruneDeferred(
                directory: logDir, existing: 5, keep: 1, wouldDelete: 4, wouldFreeBytes: 3 << 20,
                configPath: "/home/op/my project/agent-runner.toml"),
            equals: JSONObject([
                ("directory", .string(logDir)), ("existing", .int(5)), ("keep", .int(1)), ("would_delete", .int(4)),
                ("would_free_bytes", .int(3 << 20)),
                (
                    "hint",
                    .string(
                        "nothing deleted; run `agent-runner prune --yes --config '/home/op/my project/agent-runner.toml'` "
                            + "to delete the 4 oldest rounds' logs (3.0 MB) in \(logDir), or raise "
                            + "runtime.round_log_retention to >= 5 (and round_log_max_mb) to keep this backlog"
                    )
                ),
            ]))
    }

    func testTheCatalogueListsEachKindOnce() {
        let kinds = AgentRunnerEvents.all.map { $0.kind.rawValue }
        XCTAssertEqual(kinds.count, Set(kinds).count, "\(kinds)")
        XCTAssertEqual(kinds.count, 56)
    }
}
