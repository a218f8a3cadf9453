/// What `init --preset NAME` puts in agent-runner.toml for one agent CLI (config.md §4), written
/// with the key names both this agent-runner and the original 0.3 load (`round_budget_s`).
public struct AgentPreset: Sendable, Equatable {
    public var name: String
    public var command: [String]
    public var promptArgTemplate: [String]
    public var promptDelivery: String
    public var env: [(name: String, value: String)]
    /// Marks the agent's final result; nil keeps the default (claude's `"type":"result"`).
    public var terminalMarker: String?
    public var graceKillIgnorePatterns: [String]
    public var authFailHint: String
    /// `[monitor] anomaly_repetitive_window` / `_threshold`; nil leaves the detector off.
    public var anomalyRepetitive: (window: Int, threshold: Int)?
    /// A line for the operator above `[agent]` (e.g. a placeholder to fill in).
    public var note: String?

    public static func == (lhs: AgentPreset, rhs: AgentPreset) -> Bool { lhs.name == rhs.name }

    public static let all: [AgentPreset] = [aider, claude, codewhale, gemini, kimi, pi]

    public static func named(_ name: String) -> AgentPreset? {
        all.first { $0.name == name }
    }

    public static let claude = AgentPreset(
        name: "claude",
        command: ["claude", "--model", "claude-opus-5", "--dangerously-skip-permissions", "--verbose", "--output-format", "stream-json"],
        promptArgTemplate: ["-p"], promptDelivery: "stdin",
        env: [("DISABLE_AUTOUPDATER", "1"), ("CLAUDE_CODE_EFFORT_LEVEL", "xhigh")],
        terminalMarker: nil,
        graceKillIgnorePatterns: [#"\.claude/shell-snapshots/snapshot-bash-"#],
        authFailHint: "Run `claude /login` on the supervisor host or refresh ANTHROPIC_API_KEY.",
        anomalyRepetitive: (window: 30, threshold: 15), note: nil)

    public static let aider = AgentPreset(
        name: "aider", command: ["aider", "--yes-always", "--no-stream", "--analytics-disable"],
        promptArgTemplate: ["--message", "{prompt}"], promptDelivery: "argv", env: [], terminalMarker: nil,
        graceKillIgnorePatterns: [],
        authFailHint: "Verify your model provider env var (OPENAI_API_KEY / ANTHROPIC_API_KEY / DEEPSEEK_API_KEY / etc.); run `aider --models` to list detected providers.",
        anomalyRepetitive: nil, note: nil)

    public static let gemini = AgentPreset(
        name: "gemini", command: ["gemini", "--yolo", "--skip-trust", "-o", "stream-json"],
        promptArgTemplate: ["-p", "{prompt}"], promptDelivery: "argv", env: [], terminalMarker: nil,
        graceKillIgnorePatterns: [],
        authFailHint: "Verify your API key or check your authentication status for Gemini CLI.",
        anomalyRepetitive: nil, note: nil)

    public static let codewhale = AgentPreset(
        name: "codewhale", command: ["codewhale", "exec", "--auto", "--output-format", "stream-json"],
        promptArgTemplate: ["{prompt}"], promptDelivery: "argv", env: [], terminalMarker: #""type":"metadata""#,
        graceKillIgnorePatterns: [],
        authFailHint: "Run `codewhale auth status` to inspect provider/credentials, or set DEEPSEEK_API_KEY on the supervisor host.",
        anomalyRepetitive: nil, note: nil)

    public static let kimi = AgentPreset(
        name: "kimi", command: ["kimi", "--output-format", "stream-json"],
        promptArgTemplate: ["-p", "{prompt}"], promptDelivery: "argv",
        env: [("KIMI_CODE_NO_AUTO_UPDATE", "1"), ("KIMI_DISABLE_TELEMETRY", "1")], terminalMarker: nil,
        graceKillIgnorePatterns: [],
        authFailHint: "Log in to the Kimi CLI on the supervisor host (run `kimi` once interactively) or refresh its API key.",
        anomalyRepetitive: nil, note: nil)

    public static let pi = AgentPreset(
        name: "pi", command: ["pi", "-p", "-na", "--mode", "json", "--model", "PROVIDER/MODEL"],
        promptArgTemplate: ["{prompt}"], promptDelivery: "argv", env: [("PI_OFFLINE", "1")], terminalMarker: #""type":"agent_end""#,
        graceKillIgnorePatterns: [],
        authFailHint: "Check the API key of the provider named in --model (PROVIDER/MODEL) on the supervisor host.",
        anomalyRepetitive: nil, note: "Replace PROVIDER/MODEL in [agent] command with the provider and model pi should use.")
}
