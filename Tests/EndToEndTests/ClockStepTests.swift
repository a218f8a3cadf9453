import FleetCore
import Foundation
import XCTest

/// The real `agent-runner serve` while its wall clock is stepped back and forth (libfaketime,
/// see ``FakeTime``): timeouts, restart delays, back-off and crash-loop detection run on the
/// monotonic clock and must not notice; events and state files must stay whole.
final class ClockStepTests: XCTestCase {
    /// Seconds since boot (/proc/uptime): the clock the fake agent stamps its starts with
    /// (`fake-starts`), which no wall-clock step moves.
    static func uptime() -> Double {
        let text = (try? String(contentsOfFile: "/proc/uptime", encoding: .utf8)) ?? ""
        return Double(text.split(separator: " ").first ?? "") ?? 0
    }

    struct AgentStart {
        var mode: String
        var pid: Int32
        var uptime: Double
    }

    func starts(_ project: AgentProject) -> [AgentStart] {
        (project.logFile("fake-starts") ?? "").split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3, let pid = Int32(fields[1]), let uptime = Double(fields[2]) else { return nil }
            return AgentStart(mode: String(fields[0]), pid: pid, uptime: uptime)
        }
    }

    func seconds(from start: UTCInstant?, to end: UTCInstant?) -> Double {
        guard let start, let end else { return .nan }
        return Double(end.seconds - start.seconds) + Double(end.nanoseconds - start.nanoseconds) / 1e9
    }

    /// Seven rounds: two hung agents (killed at the 3 s round timeout), then five agents that
    /// crash after 1.5 s (the crash-loop breaker's five short crashes). In every round the clock
    /// is stepped (3 hours back or 2 days forward, alternately), and in every pause between
    /// rounds it is stepped back to the real time (so 3 hours forward or 2 days back). Measured
    /// from outside on the monotonic clock: each hung agent dies about 3 s after it started
    /// (not at once when the clock jumps 2 days ahead, not never when it goes 3 hours back),
    /// and each pause is its configured length (restart_delay_s 0.25: 0.5 after a timeout,
    /// then 0.5, 1, 2, 4 s through the crash streak).
    func testWallClockStepsBackAndForthDisturbNoTimeoutDelayOrCrashLoop() throws {
        let root = try Harness.temporaryDirectory(self)
        let clock = try FakeTime(directory: root)
        let modes = ["hang", "hang"] + Array(repeating: "slowcrash", count: 5) + ["ok"]
        let project = try AgentProject(self, modes: modes, runtime: ["round_timeout_s = 3"], restartDelay: 0.25)
        let serve = try PosixProcessRunner().spawn(
            clock.request(
                try Harness.binary("agent-runner"), ["serve"], environment: ["FAKE_SLEEP": "1.5"],
                workingDirectory: project.dir))
        addTeardownBlock {
            // The wrapper and serve share this process group; serve drains its round and exits.
            if serve.poll() == nil { _ = try? serve.signalGroup(SIGTERM) }
        }

        let roundSteps = ["-3h", "+2d", "-3h", "+2d", "-3h", "+2d", "-3h"]
        var deaths: [Double] = []
        for (index, offset) in roundSteps.enumerated() {
            AgentProject.wait("agent run \(index + 1) to start", timeout: 30) {
                starts(project).count > index || serve.poll() != nil
            }
            guard starts(project).count > index else {
                let said =
                    serve.poll() == nil ? "serve is still running" : "serve ended: \(serve.collectOutput().stderrText)"
                return XCTFail("agent run \(index + 1) never started; \(said)")
            }
            let start = starts(project)[index]
            while Self.uptime() < start.uptime + 0.5 { usleep(10_000) }
            try clock.step(to: offset)
            AgentProject.wait("agent run \(index + 1) (pid \(start.pid)) to end", timeout: 15) {
                !ProcessTree.isAlive(start.pid)
            }
            deaths.append(Self.uptime())
            if index < roundSteps.count - 1 {
                usleep(150_000)
                try clock.step(to: "+0")
            }
            try project.assertEventLogIntact()
            if let status = project.logFile("status.json") {
                XCTAssertNoThrow(try JSONParser.strict.parse(status), "status.json parses after the step to \(offset)")
            }
        }
        AgentProject.wait("serve to stop at the crash loop", timeout: 20) { serve.poll() != nil }
        guard serve.poll() != nil else { return }
        let output = serve.collectOutput()
        XCTAssertEqual(output.exit, .terminated(ExitCode.crashLoop), output.stderrText)

        let runs = starts(project)
        XCTAssertEqual(runs.map(\.mode), Array(modes.prefix(7)))
        // The hard timeout: about 3 s after the agent started, whichever way the clock jumped.
        for index in 0..<2 {
            let lived = deaths[index] - runs[index].uptime
            XCTAssertGreaterThan(
                lived, 2.6, "hung agent \(index + 1) killed early (clock stepped \(roundSteps[index]))")
            XCTAssertLessThan(
                lived, 5.0, "hung agent \(index + 1) killed late or never (clock stepped \(roundSteps[index]))")
        }
        // The pauses: from one agent's end to the next agent's start.
        let expectedPauses = [0.5, 0.5, 0.5, 1.0, 2.0, 4.0]
        for (index, expected) in expectedPauses.enumerated() {
            let pause = runs[index + 1].uptime - deaths[index]
            XCTAssertGreaterThan(
                pause, expected - 0.1, "pause after run \(index + 1) ended early: \(pause) s, configured \(expected) s")
            XCTAssertLessThan(
                pause, expected + 1.5, "pause after run \(index + 1) ran long: \(pause) s, configured \(expected) s")
        }

        let events = try project.events()
        let exits = events.filter { $0.kind == "agent_exit" }
        XCTAssertEqual(exits.prefix(2).map { $0.payload["exit_cause"] }, [.string("timeout"), .string("timeout")])
        XCTAssertEqual(exits.dropFirst(2).map { $0.payload["exit_code"] }, Array(repeating: .int(3), count: 5))
        for exit in exits {
            let duration = exit.payload["duration_s"]?.doubleValue ?? -1
            XCTAssertTrue(
                (1.3...5.0).contains(duration), "agent_exit duration_s is monotonic time, not wall time: \(exit.raw)")
        }
        XCTAssertEqual(
            events.filter { $0.kind == "round_timeout_kill" }.map { $0.payload["reason"] },
            [.string("exceeded round_timeout_s=3"), .string("exceeded round_timeout_s=3")])
        let crash = try XCTUnwrap(events.first { $0.kind == "crash_loop" }, "crash-loop detection still works")
        XCTAssertEqual(crash.payload["consecutive"], .int(5))
        XCTAssertEqual(crash.payload["exit_code"], .int(3))
        XCTAssertEqual(
            events.filter { $0.kind == "round_start" }.compactMap { $0.payload["round_num"]?.intValue }.sorted(),
            Array(1...7))

        // Not vacuous: serve's own clock really jumped. Each round started on the real time and
        // ended 3 hours earlier or 2 days later by its wall clock.
        let roundStarts = events.filter { $0.kind == "round_start" }
        XCTAssertEqual(roundStarts.count, 7)
        for (index, offset) in roundSteps.enumerated() where index < min(roundStarts.count, exits.count) {
            let wallDuration = seconds(from: roundStarts[index].instant, to: exits[index].instant)
            if offset == "-3h" {
                XCTAssertLessThan(
                    wallDuration, -2 * 3600,
                    "round \(index + 1): serve's wall clock did not step back (is libfaketime preloaded?)")
            } else {
                XCTAssertGreaterThan(
                    wallDuration, 86_400,
                    "round \(index + 1): serve's wall clock did not step forward (is libfaketime preloaded?)")
            }
        }

        // A serve started after the steps (its clock still 3 hours back) continues the numbering.
        let again = try PosixProcessRunner().run(
            clock.request(
                try Harness.binary("agent-runner"), ["serve", "--once"], environment: [:],
                workingDirectory: project.dir, deadline: .now + .seconds(60)))
        XCTAssertEqual(again.exit, .terminated(0), again.stderrText)
        XCTAssertEqual(try project.events().last { $0.kind == "round_start" }?.payload["round_num"], .int(8))
        XCTAssertNoThrow(try JSONParser.strict.parse(project.logFile("status.json") ?? ""))
        XCTAssertEqual(try JSONParser.strict.parse(project.logFile("status.json") ?? "")["round_num"], .int(8))
        try project.assertEventLogIntact()
    }
}
