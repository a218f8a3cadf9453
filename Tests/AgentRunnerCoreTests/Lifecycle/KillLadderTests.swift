import FleetCore
import Foundation
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// The kill ladder's schedule on a fake clock: SIGTERM to serve, the agent's group and its
/// descendants at once; the grace, looked at every 50 ms; SIGKILL to what is left; a last wait.
final class KillLadderTests: XCTestCase {
    var root = ""
    let clock = FakeClock()
    lazy var table = FakeProcessTable(clock: clock)

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "kill-ladder-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        addTeardownBlock { [root] in try? FileManager.default.removeItem(atPath: root) }
        // serve 100 and its agent 200 (a group of its own), as their pid files name them.
        try Data("100\n".utf8).write(to: URL(fileURLWithPath: root + "/serve.pid"))
        try Data("200\n".utf8).write(to: URL(fileURLWithPath: root + "/agent.pid"))
    }

    var ladder: KillLadder {
        KillLadder(
            servePidFile: PidFile(path: root + "/serve.pid"), agentPidFile: PidFile(path: root + "/agent.pid"),
            grace: .seconds(5), clock: clock, processes: table)
    }

    func ticks(_ count: Int) -> [Duration] {
        Array(repeating: .milliseconds(50), count: count)
    }

    func testAnAgentThatIgnoresSIGTERMGetsSIGKILLAfterTheFullGrace() {
        table.add(100, command: "agent-runner", termDelay: .milliseconds(100))
        table.add(200, parent: 100, command: "bash", termDelay: nil)
        table.add(201, parent: 200, group: 200, command: "sleep", termDelay: nil)
        table.add(300, command: "unrelated", termDelay: .zero)

        let outcome = ladder.run()

        XCTAssertEqual(
            table.signals, ["0.0s TERM 100", "0.0s TERM -200", "0.0s TERM 200", "0.0s TERM 201", "5.0s KILL -200"])
        XCTAssertEqual(clock.sleeps, ticks(100), "5 s of grace, looked at every 50 ms")
        XCTAssertEqual(outcome.targets.map(\.pid), [100, 200, 201])
        XCTAssertEqual(outcome.killed.map(\.pid), [200, 201])
        XCTAssertEqual(outcome.survivors, [])
        XCTAssertEqual(outcome.refused, [])
        XCTAssertNotNil(table.entry(for: 300), "a process outside the tree is never signalled")
    }

    func testEverythingThatObeysSIGTERMEndsTheGraceEarly() {
        table.add(100, command: "agent-runner", termDelay: .milliseconds(120))
        table.add(200, parent: 100, command: "claude", termDelay: .milliseconds(120))

        let outcome = ladder.run()

        XCTAssertEqual(table.signals, ["0.0s TERM 100", "0.0s TERM -200", "0.0s TERM 200"])
        XCTAssertEqual(clock.sleeps, ticks(3), "gone at 0.12 s, seen at the 0.15 s look")
        XCTAssertEqual(outcome.killed, [])
        XCTAssertEqual(outcome.targets.map(\.pid), [100, 200])
    }

    func testAnEscapedDescendantIsFoundThroughItsParentAndKilled() {
        table.add(100, command: "agent-runner", termDelay: .milliseconds(10))
        table.add(200, parent: 100, command: "claude", termDelay: .milliseconds(10))
        table.add(250, parent: 200, group: 250, command: "daemon", termDelay: nil)  // setsid'd

        let outcome = ladder.run()

        XCTAssertEqual(
            table.signals, ["0.0s TERM 100", "0.0s TERM -200", "0.0s TERM 200", "0.0s TERM 250", "5.0s KILL 250"])
        XCTAssertEqual(outcome.killed.map(\.pid), [250])
        XCTAssertEqual(clock.sleeps, ticks(100))
    }

    func testAProcessThatSurvivesSIGKILLIsReportedAfterTheLastWait() {
        table.add(100, command: "agent-runner", termDelay: .milliseconds(10))
        table.add(200, parent: 100, command: "cp", termDelay: nil, ignoresKILL: true)  // uninterruptible I/O

        let outcome = ladder.run()

        XCTAssertEqual(
            table.signals, ["0.0s TERM 100", "0.0s TERM -200", "0.0s TERM 200", "5.0s KILL -200", "5.0s KILL 200"])
        XCTAssertEqual(clock.sleeps, ticks(100) + ticks(40), "the grace, then 2 s for SIGKILL to land")
        XCTAssertEqual(outcome.survivors.map(\.pid), [200])
        XCTAssertEqual(outcome.refused, [])
    }

    func testAnotherUsersServeIsNotSignalledAtAll() {
        table.add(100, command: "agent-runner", termDelay: .zero, foreign: true)
        table.add(200, parent: 100, command: "claude", termDelay: .zero)

        let outcome = ladder.run()

        XCTAssertEqual(table.signals, [])
        XCTAssertEqual(clock.sleeps, [])
        XCTAssertEqual(outcome.refused.map(\.pid), [100])
        XCTAssertEqual(outcome.targets.map(\.pid), [100, 200])
    }

    func testNothingRunningIsNothingToDo() throws {
        XCTAssertEqual(ladder.run(), KillLadder.Outcome(targets: [], killed: [], survivors: [], refused: []))
        XCTAssertEqual(clock.sleeps, [])
    }

    // MARK: the daemon's graceful stop

    var daemon: ServeDaemon {
        let paths = ServicePaths(
            project: "demo", workDir: root, configPath: root + "/agent-runner.toml", logDir: root,
            userUnitDirectory: root + "/units", systemUnitDirectory: root + "/system")
        return ServeDaemon(
            paths: paths, effects: .fake(clock: clock, fileSystem: LocalFileSystem()), processes: table,
            environment: [:])
    }

    func testStopWaitsForServeItselfToBeGone() throws {
        table.add(100, command: "agent-runner", termDelay: .milliseconds(350))

        XCTAssertEqual(try daemon.stop(timeout: .seconds(10)), .stopped(pid: 100, elapsed: .milliseconds(400)))
        XCTAssertEqual(table.signals, ["0.0s TERM 100"])
        XCTAssertEqual(clock.sleeps, Array(repeating: .milliseconds(100), count: 4))
    }

    func testStopGivesUpAtItsTimeoutWhileTheRoundFinishes() throws {
        table.add(100, command: "agent-runner", termDelay: nil)

        XCTAssertEqual(try daemon.stop(timeout: .seconds(1)), .stillRunning(pid: 100, elapsed: .seconds(1)))
        XCTAssertEqual(clock.sleeps, Array(repeating: .milliseconds(100), count: 10))
    }
}
