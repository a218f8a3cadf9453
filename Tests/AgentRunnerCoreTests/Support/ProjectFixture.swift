import FleetCore
import Foundation
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// A throw-away project for the supervisor's unit tests: a work dir that reads as a git work tree
/// without running git (`.git/HEAD` and `.git/objects` on disk), a prompt, a log dir, and the
/// parsed config. Real temporary directories: creating them takes a millisecond, and the event
/// log, pid files and locks are then the real ones.
struct ProjectFixture {
    let root: String
    let workDir: String
    let logDir: String
    let config: AgentRunnerConfig

    /// The agent is `/bin/sh` named `agentName` (a wrapper, as ``AgentIdentity`` sees it): its
    /// output is read by that preset's classifier and its events and throttle say its name.
    /// - Parameters:
    ///   - runtime: lines for `[runtime]` (the defaults here: `restart_delay_s = 1`).
    ///   - extra: TOML appended after `[prompt]` (other tables).
    ///   - prompt: the prompt's text (default: 600 bytes, enough for the startup battery).
    ///   - zones: where `[schedule]` zones come from (default: the test zones, no files read).
    init(
        _ test: XCTestCase, runtime: [String] = [], extra: String = "", prompt: String? = nil,
        agentName: String = "claude", zones: any ZoneSource = TestZones.Source()
    ) throws {
        let made = NSTemporaryDirectory() + "agent-runner-unit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: made, withIntermediateDirectories: true)
        root = URL(fileURLWithPath: made).resolvingSymlinksInPath().path
        test.addTeardownBlock { [root] in try? FileManager.default.removeItem(atPath: root) }
        workDir = root + "/project"
        logDir = root + "/logs"
        for directory in [workDir + "/.git/objects", workDir + "/prompts"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try "ref: refs/heads/main\n".write(toFile: workDir + "/.git/HEAD", atomically: true, encoding: .utf8)
        let text = prompt ?? String(repeating: "Work carefully on the project and commit your changes. ", count: 11)
        try text.write(toFile: workDir + "/prompts/main.md", atomically: true, encoding: .utf8)
        let toml = """
            schema_version = 1
            [agent]
            command = ["/bin/sh"]
            name = "\(agentName)"
            prompt_delivery = "stdin"
            [runtime]
            work_dir = "."
            log_dir = "\(logDir)"
            restart_delay_s = 1
            \(runtime.joined(separator: "\n"))
            [prompt]
            file = "prompts/main.md"
            \(extra)

            """
        let loader = AgentRunnerConfigLoader(
            environment: ConfigEnvironment(home: root, currentDirectory: workDir),
            fileSystem: LocalFileSystem(), zones: zones)
        config = try loader.parse(
            Array(toml.utf8), configPath: workDir + "/agent-runner.toml",
            displayPath: "agent-runner.toml")
    }

    /// The environment serve runs with.
    var environment: [String: String] {
        ["PATH": "/usr/bin:/bin", "HOME": root]
    }

    /// Every event written so far, oldest first.
    func events() throws -> [Event] {
        try EventLogReader(directory: logDir).lastEvents(100_000)
    }

    func kinds() throws -> [String] {
        try events().map(\.kind)
    }

    /// The payloads of the events of `kind`, oldest first.
    func payloads(_ kind: EventKind) throws -> [JSONObject] {
        try events().filter { $0.kind == kind.rawValue }.map(\.payload)
    }

    /// The wall-clock times between consecutive events of `kind`, in seconds.
    func gaps(between kind: EventKind) throws -> [Double] {
        let instants = try events().filter { $0.kind == kind.rawValue }.compactMap(\.instant)
        return zip(instants.dropFirst(), instants).map { later, earlier in
            Double(later.seconds - earlier.seconds) + Double(later.nanoseconds - earlier.nanoseconds) / 1e9
        }
    }

    func write(_ text: String, to relativePath: String) throws {
        try text.write(toFile: workDir + "/" + relativePath, atomically: true, encoding: .utf8)
    }
}
