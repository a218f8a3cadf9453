/// What `init --preset NAME` puts in agent-runner.toml for one agent CLI (config.md §4), written
/// with the key names both this agent-runner and the original 0.3 load (`round_budget_s`).
public struct AgentPreset: Sendable, Equatable {
    public var name: String
    public var command: [String]
    public var promptArgTemplate: [String]
    public var promptDelivery: String
    public var env: [(name: String, value: String)]
    /// Comment lines written under `[agent.env]`: why a variable is set.
    public var envNotes: [String] = []
    /// Marks the agent's final result; nil keeps the default (claude's `"type":"result"`).
    public var terminalMarker: String?
    public var graceKillIgnorePatterns: [String]
    public var authFailHint: String
    /// `[monitor] anomaly_repetitive_window` / `_threshold`; nil leaves the detector off.
    public var anomalyRepetitive: (window: Int, threshold: Int)?
    /// A line for the operator above `[agent]` (e.g. a placeholder to fill in).
    public var note: String?
    /// Files `init` writes beside the config (paths relative to it) and commits with it.
    public var files: [ScaffoldFile] = []
    /// Lines `init` adds to .gitignore besides `logs/`.
    public var gitignoreLines: [String] = []

    /// A file of a preset, written by `init` beside agent-runner.toml.
    public struct ScaffoldFile: Sendable, Equatable {
        public var path: String
        public var text: String
    }

    public static func == (lhs: AgentPreset, rhs: AgentPreset) -> Bool { lhs.name == rhs.name }

    public static let all: [AgentPreset] = [aider, claude, codewhale, gemini, kimi, pi]

    public static func named(_ name: String) -> AgentPreset? {
        all.first { $0.name == name }
    }

    /// Claude Code 2.1.332 (docs/agents.md). `CLAUDE_CODE_MAX_RETRIES` (default 10) bounds the
    /// CLI's own retries: with the default a 429 storm holds one round about 12 minutes and a
    /// steady 5xx about 3 minutes, out of the supervisor's sight. 2 retries ride out a blip
    /// (about 1.7 s of 5xx or a dropped connection) without losing the round's context; anything
    /// longer ends the round, and serve's back-off (which honours the provider's reset) takes over.
    public static let claude = AgentPreset(
        name: "claude",
        command: [
            "claude", "--model", "claude-opus-5", "--dangerously-skip-permissions", "--verbose",
            "--output-format", "stream-json",
        ],
        promptArgTemplate: ["-p"], promptDelivery: "stdin",
        env: [
            ("DISABLE_AUTOUPDATER", "1"), ("CLAUDE_CODE_EFFORT_LEVEL", "xhigh"), ("CLAUDE_CODE_MAX_RETRIES", "2"),
            ("DISABLE_TELEMETRY", "1"), ("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"),
        ],
        envNotes: [
            "CLAUDE_CODE_MAX_RETRIES: Claude Code's own retries (default 10, a 429 storm then holds a round ~12 min);",
            "2 ride out a blip, longer outages end the round and serve backs off until the provider's reset.",
        ],
        terminalMarker: nil,
        graceKillIgnorePatterns: [#"\.claude/shell-snapshots/snapshot-bash-"#],
        authFailHint: "Run `claude /login` on the supervisor host or refresh ANTHROPIC_API_KEY.",
        anomalyRepetitive: (window: 30, threshold: 15), note: nil)

    /// aider 0.86.2 (docs/agents.md). aider exits 0 after every provider error, so the output
    /// is classified, not the exit code. The flags keep it off the network except for its model
    /// (`--no-check-update`, `--no-analytics`, `--no-show-release-notes`) and its output plain
    /// (`--no-pretty`, `--no-fancy-input`); `--timeout 300` cuts a request whose reply stalls
    /// (aider's default waits 600 s per try, and tries 9 times). `.aider.model.settings.yml` turns
    /// off the OpenAI client's retries (`max_retries: 0`: 9 requests instead of 27 for a steady
    /// 429); aider's own loop (about 64 s) has no switch, so the round timeout bounds the rest.
    /// `BROWSER=true` stops `--yes-always` from opening the URLs of error messages in a browser,
    /// `COLUMNS=250` keeps its errors on one line, `LITELLM_LOCAL_MODEL_COST_MAP` skips a
    /// download at every start. `.aider*` in .gitignore before the first round: aider adds it
    /// itself otherwise, and the changed .gitignore would be stashed after every round.
    public static let aider = AgentPreset(
        name: "aider",
        command: [
            "aider", "--yes-always", "--no-stream", "--no-check-update", "--no-show-release-notes",
            "--no-analytics", "--no-pretty", "--no-fancy-input", "--timeout", "300",
            "--model-settings-file", aiderModelSettings.path,
        ],
        promptArgTemplate: ["--message", "{prompt}"], promptDelivery: "argv",
        env: [("BROWSER", "true"), ("COLUMNS", "250"), ("LITELLM_LOCAL_MODEL_COST_MAP", "True")],
        envNotes: [
            "BROWSER=true: --yes-always would open the URLs in error messages in a browser;",
            "COLUMNS keeps aider's error lines whole; LITELLM_LOCAL_MODEL_COST_MAP skips a download at start.",
        ],
        terminalMarker: nil,
        graceKillIgnorePatterns: [],
        authFailHint: "Verify your model provider env var (OPENAI_API_KEY / ANTHROPIC_API_KEY / DEEPSEEK_API_KEY / "
            + "etc.); run `aider --models` to list detected providers.",
        anomalyRepetitive: nil, note: nil, files: [aiderModelSettings],
        gitignoreLines: [".aider*", "!" + aiderModelSettings.path])

    /// aider's model settings for every model (`aider/extra_params`): no retries in the OpenAI
    /// client under litellm.
    public static let aiderModelSettings = ScaffoldFile(
        path: ".aider.model.settings.yml",
        text: """
            # Written by `agent-runner init --preset aider` (docs/agents.md). The OpenAI client inside
            # aider retries every failed request twice on top of aider's own retries (27 requests for a
            # steady 429); agent-runner backs off between rounds itself, honouring the provider's reset.
            - name: aider/extra_params
              extra_params:
                max_retries: 0

            """)

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
        authFailHint:
            "Run `codewhale auth status` to inspect provider/credentials, or set DEEPSEEK_API_KEY on the supervisor host.",
        anomalyRepetitive: nil, note: nil)

    public static let kimi = AgentPreset(
        name: "kimi", command: ["kimi", "--output-format", "stream-json"],
        promptArgTemplate: ["-p", "{prompt}"], promptDelivery: "argv",
        env: [("KIMI_CODE_NO_AUTO_UPDATE", "1"), ("KIMI_DISABLE_TELEMETRY", "1")], terminalMarker: nil,
        graceKillIgnorePatterns: [],
        authFailHint:
            "Log in to the Kimi CLI on the supervisor host (run `kimi` once interactively) or refresh its API key.",
        anomalyRepetitive: nil, note: nil)

    public static let pi = AgentPreset(
        name: "pi", command: ["pi", "-p", "-na", "--mode", "json", "--model", "PROVIDER/MODEL"],
        promptArgTemplate: ["{prompt}"], promptDelivery: "argv", env: [("PI_OFFLINE", "1")],
        terminalMarker: #""type":"agent_end""#,
        graceKillIgnorePatterns: [],
        authFailHint: "Check the API key of the provider named in --model (PROVIDER/MODEL) on the supervisor host.",
        anomalyRepetitive: nil,
        note: "Replace PROVIDER/MODEL in [agent] command with the provider and model pi should use.")
}
