import FleetCore
import Foundation
import TestSupport
import XCTest

/// Fleet hosts that run the real original 0.3.14 (PyPI cli-agent-runner, see OriginalTool)
/// instead of ours: the same loopback host users and AgentProject projects, served by the
/// original's `agent-runner serve` in pid-file mode, the way an operator starts it by hand.
extension FleetFixture {
    /// The recorded transcripts the fake agent replays in `replay-NAME` modes.
    static let originalTranscripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/original/harness/fake-transcripts").path

    /// The original's environment: no Python variables of the test process leak into its venv.
    static let originalEnvironment = ["PYTHONPATH": "", "PYTHONHOME": "", "VIRTUAL_ENV": ""]

    /// A project on `host` for the original: owned by its user, restart_delay_s = 1 (the original
    /// takes whole seconds only), the recorded transcripts in `transcripts/` for `replay-*` modes.
    /// What a test may leave in the user's home (a migration's build, link and backups, a fake
    /// systemd) is removed when it ends, after the user's processes.
    func originalProject(
        _ test: XCTestCase, on host: String, modes: [String] = ["ok"], runtime: [String] = [],
        root: String? = nil
    ) throws -> AgentProject {
        let user = user(host)
        let owner = AgentProject.Owner(user: user, agentRunner: try OriginalTool.executable())
        let project = try AgentProject(test, modes: modes, runtime: runtime, root: root, restartDelay: 1, owner: owner)
        try FileManager.default.copyItem(atPath: Self.originalTranscripts, toPath: project.dir + "/transcripts")
        try owner.user.own(project.dir + "/transcripts", recursive: true)
        test.addTeardownBlock {
            user.killProcesses()
            for path in Self.homeLeftovers { try? FileManager.default.removeItem(atPath: user.home + "/" + path) }
            // The folders a migration made, when nothing else is in them.
            for folder in [".local/bin", ".local/lib", ".local", ".config"] { rmdir(user.home + "/" + folder) }
        }
        return project
    }

    /// What the original-host tests may create in a host user's home.
    static let homeLeftovers = [
        ".local/bin/agent-runner-swift", ".local/lib/agent-runner", ".agent-runner-migration", ".config/systemd",
        ".fake-systemd", "fakebin", ".ssh/environment", ".fake-runtime", "FAIL_SMOKE",
    ]

    /// The fake systemctl and loginctl (Fixtures/fake-systemd) for `host`: first on the PATH of its
    /// ssh sessions (`~/.ssh/environment`, which the loopback sshd honours), with an
    /// XDG_RUNTIME_DIR, so both tools' user-unit code runs as on a host with a user manager.
    /// Returns that environment, for commands the test runs as the user directly.
    @discardableResult
    func useFakeSystemd(_ host: String) throws -> [String: String] {
        let user = user(host)
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fake-systemd").path
        let bin = user.home + "/fakebin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for tool in ["systemctl", "loginctl"] {
            try? FileManager.default.removeItem(atPath: bin + "/" + tool)
            try FileManager.default.copyItem(atPath: fixtures + "/" + tool, toPath: bin + "/" + tool)
        }
        let runtime = user.home + "/.fake-runtime"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        chmod(runtime, 0o700)
        let environment = ["PATH": "\(bin):/usr/local/bin:/usr/bin:/bin", "XDG_RUNTIME_DIR": runtime]
        let text = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
        try Harness.write(text, to: user.home + "/.ssh/environment")
        for path in [bin, runtime, user.home + "/.ssh/environment"] { try user.own(path, recursive: true) }
        chmod(user.home + "/.ssh/environment", 0o600)
        return environment
    }

    /// Runs the original's `install` for `project` as its user, with the fake systemd (see
    /// ``useFakeSystemd(_:)``): the unit `agent-runner@project.service` is written, enabled and
    /// started, its ExecStart the original's `agent-runner` found on PATH.
    func installOriginalUnit(_ project: AgentProject, on host: String) throws -> Harness.Result {
        let user = user(host)
        let original = try OriginalTool.executable()
        var environment = user.environment(ProcessRequest.currentEnvironment())
            .merging(Self.originalEnvironment) { _, new in new }
        let fake = try useFakeSystemd(host)
        // The original's install names in ExecStart the `agent-runner` it finds on PATH.
        let venvBin = URL(fileURLWithPath: original).deletingLastPathComponent().path
        environment["PATH"] = "\(user.home)/fakebin:\(venvBin):/usr/local/bin:/usr/bin:/bin"
        environment["XDG_RUNTIME_DIR"] = fake["XDG_RUNTIME_DIR"]
        let argv = try user.command([original, "install", "--config", project.dir + "/agent-runner.toml"])
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                argv[0], arguments: Array(argv.dropFirst()), environment: environment, workingDirectory: project.dir,
                standardInput: .null, deadline: .now + .seconds(60)))
        return Harness.Result(exit: output.exit, stdout: output.stdoutText, stderr: output.stderrText)
    }

    /// A `[hosts.NAME]` table for a project the original serves: its `agent_runner` is the original's.
    static func originalHost(_ name: String, project: AgentProject, extra: String = "") throws -> String {
        let original = try OriginalTool.executable()
        return "[hosts.\(name)]\nagent_runner = \"\(original)\"\n"
            + "config = \"\(project.dir)/agent-runner.toml\"\n\(extra)\n"
    }
}

extension AgentProject {
    /// Starts the original's `agent-runner serve --config ...` as the project's owner, in the
    /// background (pid-file mode: the original writes serve.pid, `stop` signals it).
    func startOriginalServe(environment: [String: String] = [:]) throws -> RunningProcess {
        try startServe(
            ["--config", dir + "/agent-runner.toml"],
            environment: FleetFixture.originalEnvironment.merging(environment) { _, new in new })
    }
}
