import FleetCore

/// Exactly what is spawned for a round: argv, environment and stdin. A value, so the contract
/// with the agent (which variables it sees, where the prompt goes) is tested without a process.
public struct AgentLaunch: Sendable, Equatable {
    public var argv: [String]
    public var environment: [String: String]
    /// The prompt on stdin (stdin delivery), or nil for /dev/null.
    public var standardInput: [UInt8]?

    /// - Parameters:
    ///   - base: the supervisor's own environment, which the agent inherits.
    public static func make(
        agent: AgentRunnerConfig.Agent, prompt: String, workDir: String, logDir: String, round: Int,
        phase: String?, freshEyes: Bool, base: [String: String]
    ) -> AgentLaunch {
        var argv = agent.execPrefix.map { $0.replacingAll("{work_dir}", with: workDir) } + agent.command
        switch agent.promptDelivery {
        case .argv:
            argv += agent.promptArgTemplate.map { $0.replacingAll("{prompt}", with: prompt) }
        case .stdin:
            argv += agent.promptArgTemplate
        }
        var environment = base
        environment["AGENT_RUNNER_LOG_DIR"] = logDir
        environment["AGENT_RUNNER_ROUND_NUM"] = String(round)
        environment["AGENT_RUNNER_PHASE"] = phase ?? ""
        environment["AGENT_RUNNER_WORK_DIR"] = workDir
        if freshEyes {
            environment["AGENT_RUNNER_FRESH_EYES"] = "1"
        } else {
            environment.removeValue(forKey: "AGENT_RUNNER_FRESH_EYES")
        }
        for entry in agent.env { environment[entry.name] = entry.value }
        environment["PWD"] = workDir
        return AgentLaunch(
            argv: argv, environment: environment,
            standardInput: agent.promptDelivery == .stdin ? Array(prompt.utf8) : nil)
    }
}
