import FleetCore
import Foundation
import TestSupport
import XCTest

/// Helpers for the event relay's end-to-end tests: a relay process whose stdout goes to a file,
/// the ssh it runs, and the `events --tail` processes a host's user runs.
enum RelayFixture {
    /// A process started here with stdout in a file.
    final class Relay {
        let process: RunningProcess
        let outputPath: String

        init(process: RunningProcess, outputPath: String) {
            self.process = process
            self.outputPath = outputPath
        }

        var lines: [String] {
            ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        /// The relayed round events, as `kind:round` (`round_end:2`), without the probes.
        func relayed(_ kinds: Set<String> = ["round_start", "round_end"]) -> [String] {
            lines.compactMap { Event(line: Array($0.utf8)) }.filter { kinds.contains($0.kind) }
                .map { "\($0.kind):\($0.payload["round_num"]?.intValue ?? 0)" }.filter { $0 != "round_end:0" }
        }

        /// Appends a probe event (`round_end` of round 0) to the host's current month file until the
        /// relay prints it: the host's tail is then positioned at the end of the log (a tail that
        /// is still starting would miss the next round's first events).
        func prime(logDir: String, owner: TestUser, file: StaticString = #filePath, line: UInt = #line) throws {
            let now = SystemClock().now()
            let path = logDir + "/events-" + EventTimestamp.format(now).prefix(7) + ".jsonl"
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let ts = EventTimestamp.format(SystemClock().now())
                let probe = #"{"ts": "\#(ts)", "event": "round_end", "round_num": 0}"#
                // The relay prints every event as a compact JSON Lines line, whatever the log's spacing.
                let printed = #"{"ts":"\#(ts)","event":"round_end","round_num":0}"#
                let handle = FileManager.default.fileExists(atPath: path) ? FileHandle(forWritingAtPath: path) : nil
                if let handle {
                    handle.seekToEndOfFile()
                    handle.write(Data((probe + "\n").utf8))
                    handle.closeFile()
                } else {
                    try Harness.write(probe + "\n", to: path)
                    try owner.own(logDir)
                    try owner.own(path)
                }
                let wrote = ContinuousClock.now
                while ContinuousClock.now - wrote < .milliseconds(500) {
                    if lines.contains(printed) { return }
                    usleep(20_000)
                }
            }
            XCTFail("the relay never printed a probe appended to \(path)", file: file, line: line)
        }

        /// Waits until `entry` (`round_end:2`) has been relayed.
        func waitFor(_ entry: String, file: StaticString = #filePath, line: UInt = #line) {
            AgentProject.wait("the relay to print \(entry)", timeout: 30, file: file, line: line) {
                relayed().contains(entry)
            }
        }

        /// The live ssh processes the relay started (its children).
        func sshChildren() -> [ProcessTree.Entry] {
            ProcessTree.snapshot().filter {
                !$0.isZombie && $0.parent == process.pid
                    && (ProcessTree.commandLine(of: $0.pid)?.first ?? "").hasSuffix("ssh")
            }
        }
    }

    /// Starts `executable ARGS` with stdout in a fresh file under `directory`.
    static func start(_ argv: [String], environment: [String: String], in directory: String) throws -> Relay {
        let output = directory + "/relay-\(UUID().uuidString).out"
        let process = try PosixProcessRunner().spawn(
            ProcessRequest(
                argv[0], arguments: Array(argv.dropFirst()), environment: environment, workingDirectory: directory,
                standardOutput: .appendToFile(output), standardError: .capture()))
        return Relay(process: process, outputPath: output)
    }

    /// The live `events --tail` processes of `user` (what a relay runs on its host).
    static func tails(of user: TestUser) -> [ProcessTree.Entry] {
        user.processes().filter { entry in
            let argv = ProcessTree.commandLine(of: entry.pid) ?? []
            return argv.contains("events") && argv.contains("--tail")
        }
    }

    /// How long until none of `pids` is alive any more (a zombie is gone: nothing reaps orphans
    /// here); fails the test after `timeout`.
    static func waitUntilGone(
        _ pids: [pid_t], timeout: Duration = .seconds(10), file: StaticString = #filePath,
        line: UInt = #line
    ) -> Duration {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if !pids.contains(where: ProcessTree.isAlive) { return ContinuousClock.now - start }
            usleep(20_000)
        }
        XCTFail("\(pids) still run after \(timeout)", file: file, line: line)
        return timeout
    }
}
