/// What the detectors need from the host's own `agent-runner.toml`, as the host reported it.
public struct HostConfigFacts: Sendable, Equatable {
    /// The tool's default round timeout (`round_timeout_s` / `round_budget_s`), used when the host
    /// did not say: `hung` and the derived `supervisor_stale` threshold need some budget.
    public static let defaultRoundTimeoutS = 1800

    /// The base round timeout, seconds; nil when unknown.
    public var roundTimeoutS: Int?
    /// Per-phase overrides (`[phases.NAME] round_timeout_s`), seconds.
    public var phaseRoundTimeoutsS: [String: Int]
    /// `[monitor] supervisor_stale_threshold_s`: nil = derived (`round_timeout_s × 1.5`), 0 = off.
    public var supervisorStaleThresholdS: Int?
    /// `[monitor] auth_fail_hint`, copied into oauth_fail's context.
    public var authFailHint: String?

    public init(
        roundTimeoutS: Int? = nil, phaseRoundTimeoutsS: [String: Int] = [:], supervisorStaleThresholdS: Int? = nil,
        authFailHint: String? = nil
    ) {
        self.roundTimeoutS = roundTimeoutS
        self.phaseRoundTimeoutsS = phaseRoundTimeoutsS
        self.supervisorStaleThresholdS = supervisorStaleThresholdS
        self.authFailHint = authFailHint
    }

    /// The round timeout in force for `phase`: its override, else the base, else the default.
    public func roundTimeout(forPhase phase: String?) -> Int {
        if let phase, let override = phaseRoundTimeoutsS[phase] { return override }
        return roundTimeoutS ?? Self.defaultRoundTimeoutS
    }
}
