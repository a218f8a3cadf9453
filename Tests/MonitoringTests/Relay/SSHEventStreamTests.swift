import Detectors
import FleetCore
import Foundation
import Monitoring
import SSHTransport
import TestSupport
import XCTest

/// The real stream with a stand-in for ssh (a script that ignores ssh's arguments): lines as they
/// come, a last unterminated line, the exit code and stderr tail it ended with, and an interrupted
/// stream's process group ended.
final class SSHEventStreamTests: XCTestCase {
    func standIn(_ body: String) throws -> SSHEventStream {
        let path = NSTemporaryDirectory() + "fake-ssh-" + UUID().uuidString
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return SSHEventStream(sshProgram: path, terminationGrace: .seconds(1))
    }

    var host: RemoteHost { RemoteHost(name: "pi", target: try! SSHTarget("pi")) }

    func testLinesComeAsWrittenAndTheEndSaysHowSshExited() throws {
        let stream = try standIn(
            "echo one; sleep 0.3; printf 'two\\nthr'; printf 'ee'; echo 'bash: agent-runner: not found' >&2; exit 127")
        var lines: [(String, Duration)] = []
        let start = ContinuousClock.now
        let end = stream.stream(
            host: host, argv: ["agent-runner", "events"], line: { lines.append(($0, .now - start)) },
            interrupted: { nil })
        XCTAssertEqual(lines.map(\.0), ["one", "two", "three"])
        XCTAssertLessThan(lines[0].1, .milliseconds(250), "the first line is handed over before the stand-in ends")
        XCTAssertEqual(end, .ended(RemoteFailure(returncode: 127, stderrTail: "bash: agent-runner: not found")))
    }

    func testAnInterruptedStreamEndsSshsWholeGroup() throws {
        let pidFile = NSTemporaryDirectory() + "fake-ssh-pid-" + UUID().uuidString
        addTeardownBlock { try? FileManager.default.removeItem(atPath: pidFile) }
        let stream = try standIn("echo $$ > \(pidFile); echo started; sleep 30 & sleep 30; wait")
        var lines: [String] = []
        let start = ContinuousClock.now
        let end = stream.stream(
            host: host, argv: ["x"], line: { lines.append($0) },
            interrupted: {
                ContinuousClock.now - start > .milliseconds(400) ? .stopRequested : nil
            })
        XCTAssertEqual(end, .interrupted(.stopRequested))
        XCTAssertEqual(lines, ["started"])
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(2))
        // ssh runs in its own session: its group is its pid, and holds the two sleeps too.
        let group = try XCTUnwrap(
            pid_t(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(ProcessTree.processGroupMembers(group), [], "the stand-in and both sleeps are gone")
    }
}
