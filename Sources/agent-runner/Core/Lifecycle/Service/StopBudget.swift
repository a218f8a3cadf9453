import FleetCore

/// How long a graceful stop may take: serve finishes the round in flight before it exits, so
/// this is the worst case of one round's tail. It sets the unit's `TimeoutStopSec` (after which
/// systemd SIGKILLs the whole cgroup) and the default wait of `agent-runner stop`; both must
/// outlast a round that is still legitimately running, or a restart kills an agent mid-commit.
public struct StopBudget: Sendable, Equatable {
    /// Worst case of the git step after a round, from GitWorkTree's timeouts: status (10 s),
    /// check-ignore (10 s each) and stash push (30 s) or stash list; auto_commit adds
    /// `add -A` (60 s) and `commit` (120 s).
    static let gitStashS = 60
    static let gitAutoCommitS = 200
    static let gitStatusS = 10
    /// Event writes, status.json, process exit.
    static let marginS = 30

    /// The longest round_timeout_s (base and every phase).
    public var roundTimeoutS: Int
    /// The longest [agent] sigterm_grace_s: what the hard timeout waits between SIGTERM and SIGKILL.
    public var agentGraceS: Int
    /// Pre- and post-round hook timeouts, summed (they run one after another).
    public var hooksS: Int
    /// The dirty-tree git step for vcs.dirty_action.
    public var gitS: Int
    public var marginS: Int

    public init(roundTimeoutS: Int, agentGraceS: Int, hooksS: Int, gitS: Int, marginS: Int) {
        self.roundTimeoutS = roundTimeoutS
        self.agentGraceS = agentGraceS
        self.hooksS = hooksS
        self.gitS = gitS
        self.marginS = marginS
    }

    public init(config: AgentRunnerConfig) {
        roundTimeoutS =
            ([config.runtime.roundTimeoutS] + config.phases.overrides.values.compactMap(\.roundTimeoutS)).max()
            ?? config.runtime.roundTimeoutS
        agentGraceS =
            ([config.agent.sigtermGraceS] + config.phases.overrides.values.compactMap { $0.agent?.sigtermGraceS }).max()
            ?? config.agent.sigtermGraceS
        let enabled = (config.hooks.preRound + config.hooks.postRound).filter {
            !config.plugins.disable.contains($0.name)
        }
        hooksS = enabled.reduce(0) { $0 + $1.timeoutS }
        switch config.vcs.dirtyAction {
        case .stash: gitS = Self.gitStashS
        case .autoCommit: gitS = Self.gitAutoCommitS
        case .ignore: gitS = Self.gitStatusS
        }
        marginS = Self.marginS
    }

    /// Seconds in all.
    public var totalS: Int { roundTimeoutS + agentGraceS + hooksS + gitS + marginS }

    /// The sum spelt out, for the unit file's comment and `stop`'s messages.
    public var explanation: String {
        "round_timeout_s \(roundTimeoutS) + agent stop grace \(agentGraceS) + round hooks \(hooksS) + git step \(gitS) + margin \(marginS)"
    }
}
