import FleetCore
import Foundation
import TestSupport
import XCTest

/// A project for the real Claude Code or aider CLI, driven by the real `agent-runner` as a
/// non-root user (Claude Code refuses `--dangerously-skip-permissions` as root).
///
/// The config is the one `agent-runner init --preset NAME` writes, run as that user, with only
/// what the test needs changed (``configure(_:)``): the CLI's path, its provider (a
/// ``ProviderStandIn``), the log dir and the runtime knobs. The agent's HOME and TMPDIR are
/// folders of the test (Claude Code keeps settings and shell snapshots in `~/.claude`, tool output
/// in `$TMPDIR/claude-<uid>`), so nothing of a run stays behind: the user's processes are killed,
/// the stand-in is stopped and every folder is removed when the test ends.
final class RealAgentProject {
    let user: TestUser
    /// The test's folder (mode 0755): the project, HOME, TMPDIR, the stand-in's files.
    let root: String
    let dir: String
    let home: String
    let tmp: String
    let logDir: String
    /// Scenario files the pre-round hook copies into place: `round-N.json` for round N.
    let scenarios: String
    let agentRunner: String
    let standIn: ProviderStandIn
    var configPath: String { dir + "/agent-runner.toml" }

    /// - Parameters:
    ///   - preset: `claude` or `aider`.
    ///   - user: the project's owner, who runs serve; `agentRunner` an `agent-runner` it can execute.
    init(_ test: XCTestCase, preset: String, user: TestUser, agentRunner: String) throws {
        self.user = user
        self.agentRunner = agentRunner
        root = URL(fileURLWithPath: try Harness.temporaryDirectory(test)).resolvingSymlinksInPath().path
        chmod(root, 0o755)
        dir = root + "/project"
        home = root + "/home"
        tmp = root + "/tmp"
        logDir = root + "/logs"
        scenarios = root + "/scenarios"
        for folder in [dir, home, tmp, logDir, scenarios] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try Harness.write("# A project for the real \(preset) CLI\n", to: dir + "/README.md")
        let setup = [
            ["init", "-q"], ["config", "user.name", "Agent Runner Test"],
            ["config", "user.email", "agents-e2e@localhost"], ["add", "-A"], ["commit", "-q", "-m", "initial"],
        ]
        for argv in setup {
            try Self.git(argv, in: dir)
        }
        for folder in [dir, home, tmp, logDir, scenarios] { try user.own(folder, recursive: true) }
        let user = self.user
        let tmpClaude = "/tmp/claude-\(user.uid)"
        let hadTmpClaude = FileManager.default.fileExists(atPath: tmpClaude)
        test.addTeardownBlock {
            user.killProcesses()
            if !hadTmpClaude { try? FileManager.default.removeItem(atPath: tmpClaude) }
        }
        standIn = try ProviderStandIn(test, preset == "claude" ? .anthropic : .openai, in: scenarios)
        try user.own(scenarios, recursive: true)

        let initialized = try run(["init", "--preset", preset, "--json"])
        guard initialized.code == 0 else {
            throw RealAgentFailure("agent-runner init --preset \(preset) failed: \(initialized.stderr)")
        }
    }

    // MARK: - Config

    /// The config `init` wrote, as lines, for ``configure(_:)``.
    struct Config {
        var lines: [String]

        /// Sets `key = value` (TOML text) in `[table]`, replacing the key's line or adding it at the
        /// end of the table; adds the table when it is missing.
        mutating func set(_ table: String, _ key: String, _ value: String) {
            let line = "\(key) = \(value)"
            guard let header = lines.firstIndex(of: "[\(table)]") else {
                lines += ["", "[\(table)]", line]
                return
            }
            var end = header + 1
            while end < lines.count && !lines[end].hasPrefix("[") { end += 1 }
            if let existing = lines[(header + 1)..<end].firstIndex(where: { $0.hasPrefix(key + " = ") }) {
                lines[existing] = line
                return
            }
            var last = end - 1
            while last > header && lines[last].trimmingCharacters(in: .whitespaces).isEmpty { last -= 1 }
            lines.insert(line, at: last + 1)
        }

        /// The `[agent] command` list as `init` wrote it.
        var command: [String] {
            get throws {
                guard let line = lines.first(where: { $0.hasPrefix("command = [") }) else {
                    throw RealAgentFailure("no [agent] command in \(lines.joined(separator: "\n"))")
                }
                let list = try JSONParser.strict.parse(Array(line.dropFirst("command = ".count).utf8))
                return list.arrayValue?.compactMap(\.stringValue) ?? []
            }
        }

        static func string(_ text: String) -> String {
            JSONWriter().string(.string(text))
        }

        static func list(_ items: [String]) -> String {
            "[" + items.map(string).joined(separator: ", ") + "]"
        }
    }

    /// Rewrites agent-runner.toml with `edit` and commits it, so round 1 starts from a clean tree.
    /// The log dir is the test's, and a pre-round hook copies `scenarios/round-N.json` (when it
    /// exists) over the stand-in's scenario before round N.
    func configure(_ edit: (inout Config) throws -> Void) throws {
        let text = try String(contentsOfFile: configPath, encoding: .utf8)
        var config = Config(lines: text.components(separatedBy: "\n"))
        config.set("runtime", "log_dir", Config.string(logDir))
        let hook = scenarios + "/select-scenario.sh"
        try Harness.write(
            """
            #!/bin/sh
            next='\(scenarios)/round-'"$AGENT_RUNNER_ROUND_NUM"'.json'
            [ -f "$next" ] || exit 0
            cp "$next" '\(scenarios)/.next.json' && mv '\(scenarios)/.next.json' '\(standIn.scenarioPath)'

            """, to: hook)
        chmod(hook, 0o755)
        try user.own(hook)
        config.set("hooks", "pre_round", "[[\(Config.string(hook))]]")
        try edit(&config)
        try Harness.write(config.lines.joined(separator: "\n"), to: configPath)
        try user.own(configPath)
        try asUser(["git", "commit", "-q", "-m", "test configuration", "--", "agent-runner.toml"])
    }

    /// What scenario round `round` gets (a JSON list of steps); see ``configure(_:)``.
    func scenario(round: Int, _ steps: String) throws {
        let path = scenarios + "/round-\(round).json"
        try ProviderStandIn.write(steps: steps, to: path)
        try user.own(path)
    }

    // MARK: - Running

    /// The environment agent-runner runs with: the user's, with the test's HOME and TMPDIR.
    var environment: [String: String] {
        var env = user.environment(ProcessRequest.currentEnvironment())
        env.removeValue(forKey: "AGENT_RUNNER_CONFIG")
        env["HOME"] = home
        env["TMPDIR"] = tmp
        env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
        return env
    }

    /// Runs `agent-runner ARGS --config agent-runner.toml` as the user.
    func run(_ arguments: [String], timeout: Duration = .seconds(60)) throws -> Harness.Result {
        let argv = try user.command([agentRunner] + arguments + ["--config", configPath])
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                argv[0], arguments: Array(argv.dropFirst()), environment: environment, workingDirectory: dir,
                standardInput: .null, deadline: .now + timeout))
        return Harness.Result(exit: output.exit, stdout: output.stdoutText, stderr: output.stderrText)
    }

    /// Starts `agent-runner serve ARGS` as the user (setpriv execs it: the pid is serve's).
    func startServe(_ arguments: [String] = []) throws -> RunningProcess {
        let argv = try user.command([agentRunner, "serve", "--config", configPath] + arguments)
        return try PosixProcessRunner().spawn(
            ProcessRequest(
                argv[0], arguments: Array(argv.dropFirst()), environment: environment, workingDirectory: dir,
                standardInput: .null, standardOutput: .capture(), standardError: .capture()))
    }

    /// Runs `agent-runner serve ARGS` to its end; fails the test when it takes longer than `timeout`.
    @discardableResult
    func serve(
        _ arguments: [String], timeout: Duration = .seconds(90), file: StaticString = #filePath,
        line: UInt = #line
    ) throws -> ProcessOutput {
        let output = try startServe(arguments).collectOutput(deadline: .now + timeout)
        XCTAssertFalse(output.timedOut, "serve \(arguments) ran longer than \(timeout)", file: file, line: line)
        return output
    }

    @discardableResult
    func asUser(_ argv: [String]) throws -> String {
        let command = try user.command(argv)
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                command[0], arguments: Array(command.dropFirst()), environment: environment, workingDirectory: dir,
                standardInput: .null, deadline: .now + .seconds(30)))
        guard output.exit.isSuccess else {
            throw RealAgentFailure("\(argv.joined(separator: " ")) as \(user.name) failed: \(output.stderrText)")
        }
        return output.stdoutText
    }

    /// git as the test process (root) in a tree another user owns.
    @discardableResult
    static func git(_ arguments: [String], in directory: String) throws -> String {
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                "git", arguments: ["-c", "safe.directory=*"] + arguments, workingDirectory: directory,
                standardInput: .null, deadline: .now + .seconds(30)))
        guard output.exit.isSuccess else {
            throw RealAgentFailure("git \(arguments.joined(separator: " ")) failed: \(output.stderrText)")
        }
        return output.stdoutText
    }

    @discardableResult
    func git(_ arguments: [String]) throws -> String {
        try Self.git(arguments, in: dir)
    }

    // MARK: - Observing

    /// Every event so far, oldest first.
    func events() throws -> [Event] {
        try EventLogReader(directory: logDir).lastEvents(100_000)
    }

    func payloads(_ kind: String) throws -> [JSONObject] {
        try events().filter { $0.kind == kind }.map(\.payload)
    }

    /// Waits until an event of `kind` is logged; returns it.
    @discardableResult
    func waitFor(_ kind: String, timeout: Double = 60, file: StaticString = #filePath, line: UInt = #line) -> Event? {
        var found: Event?
        AgentProject.wait("a \(kind) event in \(logDir)", timeout: timeout, file: file, line: line) {
            found = try? events().first { $0.kind == kind }
            return found != nil
        }
        return found
    }

    /// The user's live processes other than `serve`, once `condition` holds for one of them (its
    /// entry and command line): the processes of the round in flight, to check afterwards that
    /// all are gone.
    func roundProcesses(
        serve: pid_t, file: StaticString = #filePath, line: UInt = #line,
        whenOneMatches condition: @escaping (ProcessTree.Entry, String) -> Bool
    ) -> [ProcessTree.Entry] {
        var entries: [ProcessTree.Entry] = []
        AgentProject.wait("a process of the round matching the test's condition", timeout: 60, file: file, line: line) {
            entries = user.processes().filter { $0.pid != serve }
            return entries.contains { entry in
                condition(entry, (ProcessTree.commandLine(of: entry.pid) ?? []).joined(separator: " "))
            }
        }
        return entries
    }

    /// Fails for each of `entries` still running: a process is gone when /proc has no such pid,
    /// the pid is another process now, or it is a zombie (this machine's PID 1 does not reap
    /// orphans, so a dead orphan stays a zombie).
    static func assertGone(_ entries: [ProcessTree.Entry], file: StaticString = #filePath, line: UInt = #line) {
        for entry in entries {
            guard let now = ProcessTree.entry(for: entry.pid), now.startTime == entry.startTime else { continue }
            XCTAssertTrue(
                now.isZombie, "\(entry) (state \(now.state)) still runs after the round", file: file, line: line)
        }
    }

    /// Fails when any process of the user is alive (zombies are dead) but those named in
    /// `exceptCommands` (the fleet fixture's sshd sessions, which outlive a fleetctl run).
    func assertNoProcessLeft(exceptCommands: Set<String> = [], file: StaticString = #filePath, line: UInt = #line) {
        let left = user.processes().filter { !exceptCommands.contains($0.command) }
        XCTAssertEqual(left.map(\.description), [], "processes of \(user.name) left running", file: file, line: line)
    }
}
