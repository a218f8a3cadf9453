import FleetCore
import Foundation
import XCTest

/// A throw-away host for the lifecycle verbs: its own HOME (so nothing touches the real
/// ~/.config or ~/.local), a git project folder named `project`, the fake agent installed as
/// `claude` on PATH, an empty system unit folder, and optionally recording `systemctl` and
/// `loginctl` fakes first on PATH.
final class LifecycleHost {
    let root: String
    let home: String
    let project: String
    let systemUnitDir: String
    let runtimeDir: String
    /// Every call of the fake systemctl/loginctl, one line each: `systemctl --user start x`.
    let callsFile: String
    /// The fake systemctl's `is-active` answer (changed by its start/stop/kill calls).
    let unitStateFile: String
    var environment: [String: String]

    init(_ test: XCTestCase, fakeSystemd: Bool = false, unitState: String = "inactive") throws {
        root = URL(fileURLWithPath: try Harness.temporaryDirectory(test)).resolvingSymlinksInPath().path
        home = root + "/home"
        project = root + "/project"
        systemUnitDir = root + "/etc-systemd-system"
        runtimeDir = root + "/run-user"
        callsFile = root + "/calls"
        unitStateFile = root + "/unit-state"
        for dir in [home, project, systemUnitDir, runtimeDir, root + "/bin", root + "/fakebin"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fake-agent.sh").path
        try FileManager.default.copyItem(atPath: fixture, toPath: root + "/bin/claude")
        let path =
            (fakeSystemd ? "\(root)/fakebin:" : "") + "\(root)/bin:"
            + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        environment = [
            "HOME": home, "PATH": path, "USER": "tester", "AGENT_RUNNER_SYSTEM_UNIT_DIR": systemUnitDir,
            "XDG_RUNTIME_DIR": "", "XDG_CONFIG_HOME": "", "AGENT_RUNNER_CONFIG": "", "SUDO_USER": "",
            "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.com",
            "FAKE_MODE": "ok",
        ]
        if fakeSystemd {
            // The fake stands for a booted systemd, whatever runs this machine.
            try FileManager.default.createDirectory(atPath: root + "/run-systemd", withIntermediateDirectories: true)
            environment["AGENT_RUNNER_SYSTEMD_RUNTIME_DIR"] = root + "/run-systemd"
            try installFakeSystemd(unitState: unitState)
        }
        try git(["init", "-q"])
        try Harness.write("# demo project\n", to: project + "/README.md")
        try git(["add", "README.md"])
        try git(["commit", "-q", "-m", "initial"])
    }

    var logDir: String { home + "/.agent-runner/project/logs" }
    var userUnitDir: String { home + "/.config/systemd/user" }

    /// A systemctl that records its argv, answers `is-active` from a state file that its
    /// start/stop/kill calls update, and says `running` to `is-system-running`; a loginctl
    /// that says lingering is on.
    func installFakeSystemd(unitState: String) throws {
        try Harness.write(unitState + "\n", to: unitStateFile)
        try Harness.write(
            """
            #!/bin/sh
            echo "systemctl $*" >> '\(callsFile)'
            case "$*" in
              *is-system-running*) echo running ;;
              *is-active*) state=$(cat '\(unitStateFile)'); echo "$state"; [ "$state" = active ] || exit 3 ;;
              *" start "*) echo active > '\(unitStateFile)' ;;
              *" stop "*|*" kill "*) echo inactive > '\(unitStateFile)' ;;
            esac
            exit 0

            """, to: root + "/fakebin/systemctl")
        try Harness.write(
            """
            #!/bin/sh
            echo "loginctl $*" >> '\(callsFile)'
            echo "${FAKE_LINGER:-yes}"

            """, to: root + "/fakebin/loginctl")
        for tool in ["systemctl", "loginctl"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/fakebin/" + tool)
        }
    }

    /// The recorded calls, and forgets them.
    func takeCalls() -> [String] {
        let text = (try? String(contentsOfFile: callsFile, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: callsFile)
        return text.split(separator: "\n").map(String.init)
    }

    @discardableResult
    func git(_ arguments: [String]) throws -> String {
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                "git", arguments: arguments, environment: mergedEnvironment(), workingDirectory: project,
                deadline: .now + .seconds(30)))
        guard output.exit == .terminated(0) else {
            throw NSError(
                domain: "git", code: 1, userInfo: [NSLocalizedDescriptionKey: "git \(arguments): \(output.stderrText)"])
        }
        return output.stdoutText
    }

    func mergedEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessRequest.currentEnvironment()
        env.merge(environment) { _, new in new }
        env.merge(extra) { _, new in new }
        return env
    }

    /// Runs the built `agent-runner ARGS` (or `executable`) in the project folder (or `directory`).
    func run(
        _ arguments: [String], environment extra: [String: String] = [:], executable: String? = nil,
        stdin: [UInt8]? = nil, in directory: String? = nil, without unset: Set<String> = [],
        timeout: Duration = .seconds(90), file: StaticString = #filePath, line: UInt = #line
    ) throws -> Harness.Result {
        let request = ProcessRequest(
            try executable ?? Harness.binary("agent-runner", file: file, line: line), arguments: arguments,
            environment: mergedEnvironment(extra).filter { !unset.contains($0.key) },
            workingDirectory: directory ?? project, standardInput: stdin.map { .bytes($0) } ?? .null,
            deadline: .now + timeout)
        let output = try PosixProcessRunner().run(request)
        return Harness.Result(exit: output.exit, stdout: output.stdoutText, stderr: output.stderrText)
    }

    /// `init` with the claude preset, committed; returns its result.
    @discardableResult
    func initProject(
        _ extra: [String] = [], file: StaticString = #filePath, line: UInt = #line
    ) throws -> Harness.Result {
        let result = try run(["init"] + extra)
        XCTAssertEqual(result.code, 0, result.stderr, file: file, line: line)
        return result
    }

    /// Appends TOML to agent-runner.toml and commits it.
    func appendConfig(_ text: String) throws {
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: project + "/agent-runner.toml"))
        handle.seekToEndOfFile()
        handle.write(Data(("\n" + text + "\n").utf8))
        handle.closeFile()
        try git(["commit", "-q", "-am", "config"])
    }

    /// serve's pid while serve.pid names a live serve (what `status` reports in pid_file mode).
    func servePID() -> Int32? {
        (try? PidFile(path: logDir + "/serve.pid").runningPID()) ?? nil
    }

    func agentPID() -> Int32? {
        (try? PidFile(path: logDir + "/agent.pid").runningPID()) ?? nil
    }

    func events() throws -> [Event] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: logDir)) ?? []).filter {
            $0.hasPrefix("events-")
        }.sorted()
        var events: [Event] = []
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: logDir + "/" + file))
            events += data.split(separator: UInt8(ascii: "\n")).compactMap { Event(line: Array($0)) }
        }
        return events
    }

    /// Starts `executable serve --config <config>` in its own session, output to serve.log, as
    /// the host's unit would at boot (`ExecStart=<bin_link> serve --config ...`). Returns serve's
    /// pid once serve.pid names it, nil when it exited instead.
    func bootService(_ executable: String) throws -> Int32? {
        let serve = try PosixProcessRunner().spawn(
            ProcessRequest(
                executable, arguments: ["serve", "--config", project + "/agent-runner.toml"],
                environment: mergedEnvironment(),
                workingDirectory: project, standardOutput: .appendToFile(logDir + "/serve.log"),
                standardError: .mergeIntoStandardOutput,
                grouping: .newSession))
        AgentProject.wait("the booted serve to write serve.pid") { self.servePID() == serve.pid || serve.poll() != nil }
        return serve.poll() == nil ? serve.pid : nil
    }

    /// Kills whatever serve and agent are left, so a failed test does not leak processes.
    func cleanUp() {
        _ = try? run(["kill"], timeout: .seconds(30))
    }
}
