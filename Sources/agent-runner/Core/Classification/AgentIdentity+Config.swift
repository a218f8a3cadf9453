extension AgentRunnerConfig {
    /// The agent round `round` runs: its phase's `[phases.NAME.agent]`, else `[agent]`.
    public func agentIdentity(forRound round: Int) -> AgentIdentity {
        AgentIdentity(agent(forPhase: phases.phase(forRound: round)))
    }

    /// Each phase's agent name (``AgentIdentity/name``): the input of
    /// ``AgentThrottles/throttledPhases(_:now:)``.
    public var agentNamesByPhase: [String: String] {
        let pairs = phases.list.map { ($0, AgentIdentity(agent(forPhase: $0)).name) }
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }
}
