import FleetCore
import Foundation
import XCTest

/// start / stop / kill / restart without systemd (pid-file mode), with the real binary, a real
/// daemonized serve and the fake agent.
final class ServiceVerbTests: XCTestCase {
    func waitForRound(_ host: LifecycleHost, file: StaticString = #filePath, line: UInt = #line) {
        AgentProject.wait("a round in flight (agent.pid)", timeout: 20, file: file, line: line) {
            host.agentPID() != nil
        }
    }

    func testInitStartStatusStopStartKill() throws {
        let host = try LifecycleHost(self)
        addTeardownBlock { host.cleanUp() }
        try host.initProject()

        // start: serve daemonized in its own session, stdout/stderr to serve.log.
        let started = try host.run(["start"], environment: ["FAKE_MODE": "slow", "FAKE_SLEEP": "2"])
        XCTAssertEqual(started.code, 0, started.stderr)
        let pid = try XCTUnwrap(host.servePID(), "serve.pid names a live serve")
        XCTAssertTrue(
            started.stderr.contains("started serve (pid \(pid)); log: \(host.logDir)/serve.log"), started.stderr)
        let entry = try XCTUnwrap(ProcessTree.entry(for: pid))
        XCTAssertEqual(entry.session, pid, "serve leads its own session")
        XCTAssertEqual(
            ProcessTree.commandLine(of: pid)?.suffix(3), ["serve", "--config", host.project + "/agent-runner.toml"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: host.logDir + "/serve.log"))

        // status (pid_file mode, as the shared detector reads it) and an idempotent start.
        let state = try host.run(["start", "--json"])
        XCTAssertEqual(state.code, 0, state.stderr)
        XCTAssertTrue(state.stderr.contains("already running (serve pid \(pid))"), state.stderr)
        let json = try JSONParser.strict.parse(state.stdout)
        XCTAssertEqual(state.stdout, JSONLines.line(json), "one compact JSON Lines line")
        XCTAssertEqual(json["mode"], .string("pid_file"))
        XCTAssertEqual(json["active"], .bool(true))
        XCTAssertEqual(json["pid"], .int(Int64(pid)))
        XCTAssertEqual(host.servePID(), pid, "no second serve")

        // stop: the round in flight finishes; both lines, "stopped" only once serve is gone.
        waitForRound(host)
        let roundsBefore = try host.events().filter { $0.kind == "round_start" }.count
        let stopped = try host.run(["stop"])
        XCTAssertEqual(stopped.code, 0, stopped.stderr)
        let lines = stopped.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, stopped.stderr)
        XCTAssertEqual(lines.first, "agent-runner: stopping service...")
        XCTAssertTrue(
            lines.last?.range(of: #"^agent-runner: stopped \((\d+ ms|\d+(\.\d)? s)\)$"#, options: .regularExpression)
                != nil,
            stopped.stderr)
        XCTAssertFalse(ProcessTree.isAlive(pid), "serve exited before 'stopped' was printed")
        XCTAssertNil(host.servePID())
        let events = try host.events()
        let lastExit = try XCTUnwrap(events.last { $0.kind == "agent_exit" })
        XCTAssertEqual(lastExit.payload["exit_code"], .int(0), "the round in flight ran to completion: \(lastExit.raw)")
        XCTAssertEqual(lastExit.payload["exit_cause"], .string("clean"))
        XCTAssertEqual(
            events.filter { $0.kind == "round_start" }.count, roundsBefore, "no round started after the stop")
        XCTAssertEqual(events.last?.kind, "serve_stopped")
        XCTAssertEqual(events.last?.payload["reason"], .string("signal"))
        let notRunning = try host.run(["stop"])
        XCTAssertEqual(notRunning.code, 0)
        XCTAssertEqual(notRunning.stderr, "agent-runner: not running\n")

        // restart (graceful) and kill: the agent escapes its group with setsid; nothing survives.
        XCTAssertEqual(try host.run(["start"], environment: ["FAKE_MODE": "escape"]).code, 0)
        let first = try XCTUnwrap(host.servePID())
        let restarted = try host.run(["restart", "--force"], environment: ["FAKE_MODE": "escape"])
        XCTAssertEqual(restarted.code, 0, restarted.stderr)
        let second = try XCTUnwrap(host.servePID())
        XCTAssertNotEqual(first, second)
        XCTAssertFalse(ProcessTree.isAlive(first))
        waitForRound(host)
        let agent = try XCTUnwrap(host.agentPID())
        AgentProject.wait("the escaped grandchild", timeout: 10) {
            FileManager.default.fileExists(atPath: host.logDir + "/fake-escaped-pid")
        }
        usleep(200_000)
        let escaped = try XCTUnwrap(
            Int32(
                (try String(contentsOfFile: host.logDir + "/fake-escaped-pid", encoding: .utf8)).trimmingCharacters(
                    in: .whitespacesAndNewlines)))
        XCTAssertTrue(ProcessTree.isAlive(escaped))
        XCTAssertNotEqual(ProcessTree.entry(for: escaped)?.processGroup, agent, "the grandchild left the agent's group")

        let killed = try host.run(["kill"])
        XCTAssertEqual(killed.code, 0, killed.stderr)
        XCTAssertTrue(killed.stderr.contains("killed serve and its agent ("), killed.stderr)
        XCTAssertEqual(ProcessTree.processGroupMembers(agent), [], "no process of the agent's group remains")
        XCTAssertFalse(ProcessTree.isAlive(escaped), "the escaped descendant was killed too")
        XCTAssertFalse(ProcessTree.isAlive(second))
        XCTAssertNil(host.servePID())
        XCTAssertEqual(try host.run(["kill"]).stderr, "agent-runner: not running\n")
    }

    func testStopTimeoutSaysStillDrainingThenServeStopsAfterItsRound() throws {
        let host = try LifecycleHost(self)
        addTeardownBlock { host.cleanUp() }
        try host.initProject()
        XCTAssertEqual(try host.run(["start"], environment: ["FAKE_MODE": "slow", "FAKE_SLEEP": "5"]).code, 0)
        let pid = try XCTUnwrap(host.servePID())
        waitForRound(host)
        let result = try host.run(["stop", "--timeout", "1"])
        XCTAssertEqual(result.code, 1, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("agent-runner: stopping service...\n"), result.stderr)
        XCTAssertTrue(result.stderr.contains("still stopping after 1"), result.stderr)
        XCTAssertTrue(result.stderr.contains("To stop now: agent-runner kill"), result.stderr)
        XCTAssertFalse(result.stderr.contains("stopped ("), result.stderr)
        XCTAssertTrue(ProcessTree.isAlive(pid), "still finishing its round")
        AgentProject.wait("serve to exit after its round", timeout: 15) { !ProcessTree.isAlive(pid) }
        XCTAssertEqual(try host.events().last { $0.kind == "agent_exit" }?.payload["exit_cause"], .string("clean"))
    }

    /// Whether `pid` ignores SIGTERM now (its `SigIgn` mask in /proc).
    func ignoresSIGTERM(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigIgn:") }),
            let mask = UInt64(line.split(separator: "\t").last ?? "", radix: 16)
        else { return false }
        return mask & (1 << (UInt64(SIGTERM) - 1)) != 0
    }

    func testKillEscalatesToSIGKILLForAnAgentThatIgnoresSIGTERM() throws {
        let host = try LifecycleHost(self)
        addTeardownBlock { host.cleanUp() }
        try host.initProject()
        XCTAssertEqual(try host.run(["start"], environment: ["FAKE_MODE": "stubborn"]).code, 0)
        let pid = try XCTUnwrap(host.servePID())
        waitForRound(host)
        let agent = try XCTUnwrap(host.agentPID())
        // agent.pid is written as soon as the agent is spawned, before the stand-in has read its
        // prompt and run `trap '' TERM`: killed earlier, it simply dies of SIGTERM (the baseline
        // failure: "killed serve and its agent (2 process(es))" after 0.09 s).
        AgentProject.wait("the agent to ignore SIGTERM", timeout: 10) { ignoresSIGTERM(agent) }
        let started = Date()
        let result = try host.run(["kill"])
        XCTAssertEqual(result.code, 0, result.stderr)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 5, "SIGKILL only after the 5 s grace")
        XCTAssertTrue(result.stderr.contains("needed SIGKILL after 5 s"), result.stderr)
        XCTAssertEqual(ProcessTree.processGroupMembers(agent), [])
        XCTAssertFalse(ProcessTree.isAlive(pid))
    }

    func testStartSaysWhyServeDidNotStart() throws {
        let host = try LifecycleHost(self)
        addTeardownBlock { host.cleanUp() }
        try host.initProject()
        try FileManager.default.createDirectory(atPath: host.logDir, withIntermediateDirectories: true)
        // Someone else holds serve.lock (a serve whose pid file is gone): the new serve exits 1.
        let holder = try PosixProcessRunner().spawn(
            ProcessRequest("flock", arguments: [host.logDir + "/serve.lock", "sleep", "30"]))
        defer { _ = holder.terminate(grace: .seconds(1)) }
        AgentProject.wait("flock to hold the lock", timeout: 10) { ProcessTree.descendants(of: holder.pid).count > 0 }
        let result = try host.run(["start"])
        XCTAssertEqual(result.code, 1, result.stderr)
        XCTAssertTrue(
            result.stderr.contains(
                "serve exited at once (exit 1): agent-runner: serve already running for \(host.project)"), result.stderr
        )
        XCTAssertTrue(result.stderr.contains("full log: \(host.logDir)/serve.log"), result.stderr)
        XCTAssertNil(host.servePID())
    }

    func testASystemUnitMeansNoSecondSupervisor() throws {
        let host = try LifecycleHost(self)
        try host.initProject()
        try Harness.write(
            "[Service]\nWorkingDirectory=\(host.project)\n", to: host.systemUnitDir + "/agent-runner@project.service")
        for (verb, command) in [
            ("start", "start"), ("stop", "stop"), ("restart", "restart"), ("kill", "kill --signal=SIGKILL"),
        ] {
            let result = try host.run([verb])
            XCTAssertEqual(result.code, 1, "\(verb): \(result.stderr)")
            XCTAssertTrue(
                result.stderr.contains(
                    "project is managed by a system unit (\(host.systemUnitDir)/agent-runner@project.service); run: sudo systemctl \(command) agent-runner@project.service"
                ),
                "\(verb): \(result.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: host.logDir + "/serve.pid"), "nothing was started")
    }
}
