import FleetCore
import Foundation
import Glibc
import TestSupport
import XCTest

/// Every streaming verb ends when its reader goes away, even when nothing new is written (the
/// original's `events --tail` noticed only at its next matching event, possibly days later, so
/// each dropped relay link left a tail running on the host): exit 141 for a closed pipe or a
/// dropped ssh session, 129 for SIGHUP. "Gone" is read from /proc/PID/stat: a zombie counts as
/// gone, since nothing reaps the orphans here.
final class ReaderGoneTests: XCTestCase {
    /// How long a stream may outlive its reader: one 200 ms poll tick, plus process start-up on a
    /// loaded machine.
    static let bound: Duration = .milliseconds(1500)

    func testEveryStreamingVerbEndsWhenItsPipesReaderCloses() throws {
        let project = try AgentProject(self)
        try FileManager.default.createDirectory(atPath: project.logDir, withIntermediateDirectories: true)
        for arguments in [
            ["events", "--tail", "--kind", "round_end"],
            ["events", "--tail", "--kind", "round_end", "--since", "2026-01-01"],
            ["monitor", "--mode", "events"], ["monitor", "--mode", "narrate"],
            ["watch", "--interval", "30", "--select", "project"],
        ] {
            let (process, readEnd) = try spawn(arguments, in: project)
            usleep(700_000)
            XCTAssertTrue(ProcessTree.isAlive(process.pid), "\(arguments) runs while its reader is there")
            close(readEnd)
            let took = try waitUntilGone(process.pid, arguments)
            XCTAssertLessThan(took, Self.bound, "\(arguments) ended \(took) after its reader went, with no new event")
            XCTAssertEqual(process.wait(), .terminated(ExitCode.readerGone), "\(arguments)")
            XCTAssertTrue(process.collectOutput().stderrText.contains("stdout's reader went away"), "\(arguments)")
        }
    }

    func testSIGHUPEndsATailWith129AndAClosedStdoutEndsItAtOnce() throws {
        let project = try AgentProject(self)
        try FileManager.default.createDirectory(atPath: project.logDir, withIntermediateDirectories: true)
        let (tail, readEnd) = try spawn(["events", "--tail", "--kind", "round_end"], in: project)
        defer { close(readEnd) }
        usleep(500_000)
        XCTAssertTrue(try tail.signal(SIGHUP))
        XCTAssertLessThan(try waitUntilGone(tail.pid, ["SIGHUP"]), Self.bound)
        XCTAssertEqual(tail.wait(), .terminated(ExitCode.hangUp))

        let closed = try PosixProcessRunner().run(
            ProcessRequest(
                "/bin/sh",
                arguments: [
                    "-c", "exec \"$0\" events --tail --kind round_end >&-", try Harness.binary("agent-runner"),
                ],
                environment: environment(), workingDirectory: project.dir, deadline: .now + .seconds(10)))
        XCTAssertEqual(closed.exit, .terminated(ExitCode.readerGone), closed.stderrText)
    }

    /// Over a real ssh session as the host's own user: killing the local ssh client (a dropped
    /// relay link) ends the remote `events --tail` within the bound, so nothing of it is left on
    /// the host.
    func testADroppedSSHLinkLeavesNoTailOnTheHost() throws {
        let fleet = try FleetFixture(self, hosts: ["pi1"])
        let project = try fleet.project(self, on: "pi1")
        let user = fleet.user("pi1")
        let client = try PosixProcessRunner().spawn(
            ProcessRequest(
                "ssh",
                arguments: [
                    "-F", fleet.sshd.clientConfig, "-o", "BatchMode=yes", "pi1", "--", fleet.agentRunner, "events",
                    "--tail",
                    "--kind", "round_end", "--config", project.dir + "/agent-runner.toml",
                ],
                standardOutput: .capture(), standardError: .capture()))
        defer { _ = client.terminate(grace: .seconds(1)) }
        func remoteTails() -> [ProcessTree.Entry] {
            user.processes().filter { (ProcessTree.commandLine(of: $0.pid) ?? []).contains("--tail") }
        }
        AgentProject.wait("the remote events --tail as \(user.name)") { remoteTails().count == 1 }
        let remote = try XCTUnwrap(remoteTails().first)
        usleep(300_000)
        XCTAssertTrue(try client.signal(SIGKILL))
        _ = client.wait()
        let took = try waitUntilGone(remote.pid, ["remote tail"])
        XCTAssertLessThan(took, .seconds(3), "the host's tail ended \(took) after the link dropped")
        XCTAssertEqual(remoteTails(), [], "no agent-runner is left on the host")
    }

    // MARK: helpers

    func environment() -> [String: String] {
        var env = ProcessRequest.currentEnvironment()
        env.removeValue(forKey: "AGENT_RUNNER_CONFIG")
        return env
    }

    /// Starts `agent-runner ARGS` in the project with stdout on a pipe whose read end is returned
    /// (the write end is the child's alone).
    func spawn(_ arguments: [String], in project: AgentProject) throws -> (RunningProcess, Int32) {
        var ends: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&ends), 0)
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        defer { close(ends[1]) }
        let process = try PosixProcessRunner().spawn(
            ProcessRequest(
                try Harness.binary("agent-runner"), arguments: arguments, environment: environment(),
                workingDirectory: project.dir,
                standardOutput: .descriptor(ends[1]), standardError: .capture()))
        addTeardownBlock { _ = process.terminate(grace: .seconds(1)) }
        return (process, ends[0])
    }

    /// How long until `pid` is gone (no /proc entry, or a zombie); fails after 10 s.
    func waitUntilGone(
        _ pid: pid_t, _ what: [String], file: StaticString = #filePath, line: UInt = #line
    ) throws -> Duration {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(10) {
            if !ProcessTree.isAlive(pid) { return ContinuousClock.now - start }
            usleep(20_000)
        }
        XCTFail("\(what) still runs 10 s after its reader went away", file: file, line: line)
        return ContinuousClock.now - start
    }
}
