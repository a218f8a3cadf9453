import FleetCore
import Foundation
import TestSupport
import XCTest

/// A throw-away agent project: a git work tree with a prompt, the fake agent installed as
/// `bin/claude`, and an agent-runner.toml. Tests drive `agent-runner` against it.
final class AgentProject {
    /// A fleet host's user the project belongs to, and an `agent-runner` that user can execute.
    struct Owner {
        let user: TestUser
        let agentRunner: String
    }

    let dir: String
    let logDir: String
    let modeFile: String
    /// nil: the project is the test process's, and `agent-runner` runs as it. Otherwise the
    /// project (and the mode file) belong to `owner.user`, and ``run(_:environment:timeout:)``
    /// and ``startServe(_:environment:)`` run `owner.agentRunner` as that user.
    let owner: Owner?

    /// - Parameter extra: extra TOML appended to the config (e.g. `[vcs]` tables); `runtime`
    ///   lines go into `[runtime]`.
    /// - Parameter root: the directory to create the project in (default: a fresh temporary one),
    ///   e.g. a small tmpfs for disk-full tests.
    /// - Parameter restartDelay: `runtime.restart_delay_s` (short by default, so tests run fast).
    /// - Parameter owner: the user the project is given to once made; its processes are killed
    ///   when the test ends (before the temporary directories and mounts go).
    init(
        _ test: XCTestCase, modes: [String] = ["ok"], runtime: [String] = [], extra: String = "", prompt: String? = nil,
        root: String? = nil,
        restartDelay: Double = 0.05, owner: Owner? = nil
    ) throws {
        self.owner = owner
        let root = try root ?? Harness.temporaryDirectory(test)
        dir = URL(fileURLWithPath: root).resolvingSymlinksInPath().path + "/project"
        logDir = dir + "/logs"
        modeFile = URL(fileURLWithPath: root).resolvingSymlinksInPath().path + "/fake_mode"
        try FileManager.default.createDirectory(atPath: dir + "/bin", withIntermediateDirectories: true)
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/fake-agent.sh"
        ).path
        try FileManager.default.copyItem(atPath: fixture, toPath: dir + "/bin/claude")
        try Harness.write(
            prompt ?? String(repeating: "Work carefully on the project and commit your changes. ", count: 12),
            to: dir + "/prompts/main.md")
        try Harness.write("logs/\n", to: dir + "/.gitignore")
        try Harness.write(modes.joined(separator: ","), to: modeFile)
        // Whole seconds as an integer: the original 0.3.x refuses a float restart_delay_s.
        let delay = restartDelay.rounded() == restartDelay ? String(Int(restartDelay)) : String(restartDelay)
        let config = """
            schema_version = 1
            [agent]
            command = ["./bin/claude", "--output-format", "stream-json"]
            prompt_arg_template = ["-p"]
            prompt_delivery = "stdin"
            [agent.env]
            FAKE_MODE_FILE = "\(modeFile)"
            [runtime]
            work_dir = "."
            log_dir = "logs"
            restart_delay_s = \(delay)
            \(runtime.joined(separator: "\n"))
            [prompt]
            file = "prompts/main.md"
            \(extra)

            """
        try Harness.write(config, to: dir + "/agent-runner.toml")
        try git(["init", "-q"])
        try git(["add", "-A"])
        try git(["commit", "-q", "-m", "initial"])
        if let owner {
            try owner.user.own(dir, recursive: true)
            try owner.user.own(modeFile)
            test.addTeardownBlock { owner.user.killProcesses() }
        }
    }

    @discardableResult
    func git(_ arguments: [String]) throws -> String {
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                "git", arguments: ["-c", "user.email=test@example.com", "-c", "user.name=test"] + arguments,
                workingDirectory: dir, deadline: .now + .seconds(30)))
        guard output.exit == .terminated(0) else {
            throw NSError(
                domain: "git", code: 1, userInfo: [NSLocalizedDescriptionKey: "git \(arguments): \(output.stderrText)"])
        }
        return output.stdoutText
    }

    func setModes(_ modes: [String]) throws {
        try Harness.write(modes.joined(separator: ","), to: modeFile)
        // The fake agent rewrites the file as it consumes a mode list.
        try owner?.user.own(modeFile)
    }

    /// Runs `agent-runner ARGS` in the project (as its owner, if it has one).
    func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)
    ) throws -> Harness.Result {
        guard let owner else {
            return try Harness.run("agent-runner", arguments, in: dir, environment: environment, timeout: timeout)
        }
        var env = owner.user.environment(ProcessRequest.currentEnvironment())
        env.merge(environment) { _, new in new }
        let argv = try owner.user.command([owner.agentRunner] + arguments)
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                argv[0], arguments: Array(argv.dropFirst()), environment: env, workingDirectory: dir,
                standardInput: .null, deadline: .now + timeout))
        return Harness.Result(exit: output.exit, stdout: output.stdoutText, stderr: output.stderrText)
    }

    /// Starts `agent-runner serve ARGS` in the background (as the project's owner, if it has one:
    /// the process is then that user's serve itself, `setpriv` having exec'd it).
    func startServe(_ arguments: [String] = [], environment: [String: String] = [:]) throws -> RunningProcess {
        var env = ProcessRequest.currentEnvironment()
        env.removeValue(forKey: "AGENT_RUNNER_CONFIG")
        var argv = [try Harness.binary("agent-runner"), "serve"] + arguments
        if let owner {
            env = owner.user.environment(env)
            argv = try owner.user.command([owner.agentRunner, "serve"] + arguments)
        }
        env.merge(environment) { _, new in new }
        return try PosixProcessRunner().spawn(
            ProcessRequest(
                argv[0], arguments: Array(argv.dropFirst()), environment: env, workingDirectory: dir,
                standardOutput: .capture(), standardError: .capture()))
    }

    /// Every event line, parsed, oldest first (all month files).
    func events() throws -> [Event] {
        let files = (try FileManager.default.contentsOfDirectory(atPath: logDir)).filter { $0.hasPrefix("events-") }
            .sorted()
        var events: [Event] = []
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: logDir + "/" + file))
            for line in data.split(separator: UInt8(ascii: "\n")) {
                guard let event = Event(line: Array(line)) else {
                    XCTFail("unparseable event line in \(file): \(String(decoding: line, as: UTF8.self))")
                    continue
                }
                events.append(event)
            }
        }
        return events
    }

    /// Parses every line of every events file strictly; a torn last line (no trailing newline)
    /// is allowed.
    func assertEventLogIntact(file: StaticString = #filePath, line: UInt = #line) throws {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: logDir))?.filter { $0.hasPrefix("events-") } ?? []
        for name in names {
            let data = try Data(contentsOf: URL(fileURLWithPath: logDir + "/" + name))
            var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            lines.removeLast()
            for raw in lines where !raw.isEmpty {
                XCTAssertNotNil(
                    Event(line: Array(raw), parser: .strict),
                    "broken line in \(name): \(String(decoding: raw, as: UTF8.self))", file: file, line: line)
            }
        }
    }

    /// The event kinds in order, without the serve bookkeeping and usage noise.
    func kinds(
        excluding: Set<String> = ["round_substrate_before", "round_substrate_after", "agent_usage_recorded"]
    ) throws -> [String] {
        try events().map(\.kind).filter { !excluding.contains($0) }
    }

    func first(_ kind: String) throws -> Event? {
        try events().first { $0.kind == kind }
    }

    func file(_ relative: String) -> String? {
        try? String(contentsOfFile: dir + "/" + relative, encoding: .utf8)
    }

    func logFile(_ name: String) -> String? {
        try? String(contentsOfFile: logDir + "/" + name, encoding: .utf8)
    }

    /// The path of round `round`'s transcript, `logs/rounds/R<N>-<UTC start>.log`, or nil.
    func transcriptPath(_ round: Int) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: logDir + "/rounds")) ?? []
        let mine = names.filter { $0.hasPrefix("R\(round)-") && $0.hasSuffix(".log") }
        return mine.max().map { logDir + "/rounds/" + $0 }
    }

    /// Round `round`'s transcript text ("" when it has none).
    func transcript(_ round: Int) -> String {
        transcriptPath(round).flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
    }

    /// Runs one round with `serve --once`, so serve appends fresh host samples (metrics lines)
    /// for peek's `system` block.
    func recordHostSample(file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try hostSamples().count
        let once = try run(["serve", "--once"])
        XCTAssertEqual(once.code, 0, "serve --once: \(once.stderr)", file: file, line: line)
        XCTAssertGreaterThan(
            try hostSamples().count, before, "serve --once recorded no host sample in \(logDir)", file: file, line: line
        )
    }

    /// The host samples serve wrote (metrics-YYYY-MM.jsonl), oldest first.
    func hostSamples() throws -> [Event] {
        try EventLogReader(directory: logDir, prefix: "metrics").tail(limit: 100_000).reversed()
    }

    /// Waits until a running serve has written a host sample that satisfies `condition`
    /// (serve samples at each round's start and end).
    func waitForHostSample(
        _ what: String = "serve's first host sample", file: StaticString = #filePath, line: UInt = #line,
        where condition: @escaping (Event) -> Bool = { _ in true }
    ) {
        AgentProject.wait(what, file: file, line: line) { ((try? hostSamples()) ?? []).last.map(condition) ?? false }
    }

    /// Waits until `condition` holds, polling; fails the test after `timeout`.
    static func wait(
        _ what: String, timeout: Double = 20, file: StaticString = #filePath, line: UInt = #line,
        _ condition: () throws -> Bool
    ) rethrows {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(50_000)
        }
        XCTFail("timed out waiting for \(what)", file: file, line: line)
    }
}
