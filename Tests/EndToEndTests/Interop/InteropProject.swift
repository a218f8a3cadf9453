import FleetCore
import Foundation
import TestSupport
import XCTest

/// A project as the original's recorded harness made them (Fixtures/original/README.md): its
/// `init --preset claude` config (work_dir and log_dir absolute, restart_delay_s 1), its
/// `prompts/main.md`, and the harness's fake agent installed as `claude` first on PATH with
/// `FAKE_MODE=ok`. It belongs to one fleet host's user, and either tool runs on it as that user:
/// ours (the fleet's copy of this build) or the real original 0.3.14 (never as root: it is the
/// Python package as a host would run it).
final class InteropProject {
    enum Tool {
        case ours
        case original
    }

    let fleet: FleetFixture
    let host: String
    let user: TestUser
    /// A fresh directory (0755) holding everything: the project, HOME, the bin directory.
    let root: String
    let dir: String
    let logDir: String
    /// HOME for the runs started here (the fake agent keeps its notes in HOME/fake).
    let home: String
    /// First on PATH for the runs started here: `claude` is the fake agent.
    let bin: String
    let original: String

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/original").path

    var config: String { dir + "/agent-runner.toml" }

    init(_ test: XCTestCase, fleet: FleetFixture, host: String) throws {
        self.fleet = fleet
        self.host = host
        user = fleet.user(host)
        original = try OriginalTool.executable()
        root = URL(fileURLWithPath: try Harness.temporaryDirectory(test)).resolvingSymlinksInPath().path
        chmod(root, 0o755)
        dir = root + "/project"
        logDir = dir + "/logs"
        home = root + "/home"
        bin = root + "/bin"
        for path in [dir + "/prompts", home + "/fake", bin] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: Self.fixtures + "/harness/fakeagent", toPath: bin + "/claude")
        chmod(bin + "/claude", 0o755)
        let initConfig = try String(contentsOfFile: Self.fixtures + "/init-claude.toml", encoding: .utf8)
        let initLogDir = "log_dir = \"~/.agent-runner/init-claude/logs\""
        try Harness.write(
            initConfig.replacingOccurrences(of: "work_dir = \".\"", with: "work_dir = \"\(dir)\"")
                .replacingOccurrences(of: initLogDir, with: "log_dir = \"\(logDir)\"")
                .replacingOccurrences(of: "restart_delay_s = 3", with: "restart_delay_s = 1"),
            to: config)
        try FileManager.default.copyItem(
            atPath: Self.fixtures + "/init-prompts-main.md",
            toPath: dir + "/prompts/main.md")
        try Harness.write("logs/\n", to: dir + "/.gitignore")
        for arguments in [["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "initial"]] {
            let output = try PosixProcessRunner().run(
                ProcessRequest(
                    "git", arguments: ["-c", "user.email=test@example.com", "-c", "user.name=test"] + arguments,
                    workingDirectory: dir, deadline: .now + .seconds(30)))
            XCTAssertEqual(output.exit, .terminated(0), "git \(arguments): \(output.stderrText)")
        }
        try user.own(root, recursive: true)
        test.addTeardownBlock { [user] in user.killProcesses() }
    }

    /// The executable of `tool`.
    func executable(_ tool: Tool) -> String {
        tool == .ours ? fleet.agentRunner : original
    }

    /// The environment of a run as the host's user: HOME here, the fake agent first on PATH.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = user.environment(ProcessRequest.currentEnvironment())
        env.removeValue(forKey: "AGENT_RUNNER_CONFIG")
        env.merge([
            "HOME": home, "PATH": "\(bin):/usr/bin:/bin", "FAKE_MODE": "ok", "PYTHONPATH": "", "PYTHONHOME": "",
            "VIRTUAL_ENV": "", "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.com",
        ]) { _, new in new }
        env.merge(extra) { _, new in new }
        return env
    }

    /// `tool ARGS --config <config>` as the host's user, in the project.
    func run(_ tool: Tool, _ arguments: [String], timeout: Duration = .seconds(120)) throws -> Harness.Result {
        let argv = try user.command([executable(tool)] + arguments + ["--config", config])
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                argv[0], arguments: Array(argv.dropFirst()), environment: environment(), workingDirectory: dir,
                standardInput: .null, deadline: .now + timeout))
        return Harness.Result(exit: output.exit, stdout: output.stdoutText, stderr: output.stderrText)
    }

    /// `tool peek --json ARGS`, parsed; fails the test unless it exits 0.
    func peek(
        _ tool: Tool, _ arguments: [String], file: StaticString = #filePath,
        line: UInt = #line
    ) throws -> JSONValue {
        let result = try run(tool, ["peek", "--json"] + arguments)
        XCTAssertEqual(result.code, 0, "\(tool) peek \(arguments): \(result.stderr)", file: file, line: line)
        return try JSONParser.strict.parse(result.stdout)
    }

    /// One serve of `rounds` rounds by `tool`; fails the test unless it exits 0.
    func serve(_ tool: Tool, rounds: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try run(tool, ["serve", "--max-rounds", String(rounds)])
        XCTAssertEqual(result.code, 0, "\(tool) serve: \(result.stderr)", file: file, line: line)
    }

    /// The transcripts under logs/rounds, sorted by round number.
    func transcripts() -> [String] {
        func round(_ name: String) -> Int { Int(name.dropFirst().prefix { $0 != "-" }) ?? 0 }
        return ((try? FileManager.default.contentsOfDirectory(atPath: logDir + "/rounds")) ?? [])
            .sorted { (round($0), $0) < (round($1), $1) }
    }

    /// Every event line of the project, parsed, oldest first.
    func events() throws -> [Event] {
        try EventLogReader(directory: logDir).tail(limit: 100_000).reversed()
    }
}
