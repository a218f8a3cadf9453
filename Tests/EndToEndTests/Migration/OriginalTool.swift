import FleetCore
import Foundation
import TestSupport
import XCTest

/// The real original, PyPI cli-agent-runner 0.3.14, run side by side with ours: scripts/test
/// installs it before the suite and exports its path as `AGENT_RUNNER_ORIGINAL`; without that,
/// scripts/install-original installs it into .build/original (a no-op of 0.2 s once installed).
/// The test fails loudly when it cannot be installed.
enum OriginalTool {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The original's `agent-runner` executable.
    static func executable(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        if let path = ProcessInfo.processInfo.environment["AGENT_RUNNER_ORIGINAL"],
            FileManager.default.isExecutableFile(atPath: path)
        {
            return path
        }
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                repository + "/scripts/install-original", arguments: [], deadline: .now + .seconds(600)))
        guard output.exit == .terminated(0), !output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else {
            XCTFail("scripts/install-original failed (\(output.exit)): \(output.stderrText)", file: file, line: line)
            throw MissingPrerequisite("the original is not installed")
        }
        return output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs the original `agent-runner ARGS` in the host's project, as the host's user would.
    static func run(
        _ arguments: [String], host: LifecycleHost, file: StaticString = #filePath,
        line: UInt = #line
    ) throws -> Harness.Result {
        try host.run(
            arguments, environment: ["PYTHONPATH": "", "PYTHONHOME": "", "VIRTUAL_ENV": ""],
            executable: try executable(file: file, line: line), timeout: .seconds(120))
    }
}
