import FleetCore
import Foundation
import TestSupport
import XCTest

/// The real agent CLIs (`scripts/install-agent-clis` installs them and writes `CLAUDE_BIN` and
/// `AIDER_BIN` to its `env.sh`; `scripts/test` exports them) and the unix user that runs them.
///
/// A missing CLI fails the test with the command that installs it: these tests never skip.
enum RealAgentCLIs {
    static let install = "run scripts/install-agent-clis, then `. .build/agent-clis/env.sh` (scripts/test does both)"

    static var claude: String {
        get throws { try binary("CLAUDE_BIN", "Claude Code") }
    }

    static var aider: String {
        get throws { try binary("AIDER_BIN", "aider") }
    }

    private static func binary(_ variable: String, _ name: String) throws -> String {
        guard let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty else {
            throw RealAgentFailure("\(variable) is not set: the real \(name) CLI is needed; \(install)")
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw RealAgentFailure("\(variable)=\(path) is not an executable; \(install)")
        }
        return path
    }

    /// The user the real-agent tests run `agent-runner` as (not root: Claude Code refuses
    /// `--dangerously-skip-permissions` as root), its own lock held for the test (its processes
    /// are killed when a test ends, so two runs on one machine take turns), and an
    /// `agent-runner` it can execute.
    static func host(_ test: XCTestCase) throws -> (user: TestUser, agentRunner: String) {
        let lock = try TestUserLock(path: "/tmp/agent-fleet-e2e-real-agents.lock")
        let user = try TestUser.ensure("agents-e2e")
        user.killProcesses()
        test.addTeardownBlock {
            user.killProcesses()
            lock.release()
        }
        let bin = try Harness.temporaryDirectory(test)
        chmod(bin, 0o755)
        let agentRunner = bin + "/agent-runner"
        try FileManager.default.copyItem(atPath: try Harness.binary("agent-runner"), toPath: agentRunner)
        chmod(agentRunner, 0o755)
        return (user, agentRunner)
    }

    /// An unsigned JWT with `"aud": "claude-gateway"` for `ANTHROPIC_AUTH_TOKEN`: Claude Code then
    /// reads the subscription usage-limit headers (and prints `rate_limit_event` with `resetsAt`).
    static func gatewayToken() throws -> String {
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                ProviderStandIn.python,
                arguments: [ProviderStandIn.fixtures + "/anthropic_standin.py", "--gateway-token"],
                standardInput: .null, deadline: .now + .seconds(30)))
        guard output.exit.isSuccess else {
            throw RealAgentFailure("anthropic_standin.py --gateway-token failed: \(output.stderrText)")
        }
        return output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A real-agent test could not set up what it needs: what failed, and what to do.
struct RealAgentFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
