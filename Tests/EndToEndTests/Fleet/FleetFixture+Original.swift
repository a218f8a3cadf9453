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
    func originalProject(_ test: XCTestCase, on host: String, modes: [String] = ["ok"], runtime: [String] = [],
                         root: String? = nil) throws -> AgentProject {
        let owner = AgentProject.Owner(user: user(host), agentRunner: try OriginalTool.executable())
        let project = try AgentProject(test, modes: modes, runtime: runtime, root: root, restartDelay: 1, owner: owner)
        try FileManager.default.copyItem(atPath: Self.originalTranscripts, toPath: project.dir + "/transcripts")
        try owner.user.own(project.dir + "/transcripts", recursive: true)
        return project
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
        try startServe(["--config", dir + "/agent-runner.toml"],
                       environment: FleetFixture.originalEnvironment.merging(environment) { _, new in new })
    }
}
