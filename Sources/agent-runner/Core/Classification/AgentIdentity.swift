/// Which agent a round ran, as classification and throttling know it: the preset whose output
/// format it writes, and the name its events and throttle carry.
///
/// The preset is the command's executable basename when that is a preset name (`claude`,
/// `/usr/local/bin/claude`), else an explicit `[agent] name` that is one (a wrapper such as
/// `npx` or `run-agent.sh` with `name = "claude"`). The executable wins a conflict: the original
/// writes `name` into every preset's config, so a command changed to `gemini` may still say
/// `name = "claude"`. Phase agents are identified the same way: pass the agent the round ran.
public struct AgentIdentity: Sendable, Equatable, Hashable {
    /// The preset names with a dedicated classifier.
    public static let presets: Set<String> = ["aider", "claude", "codewhale", "gemini", "kimi", "pi"]

    /// The recognised preset, or nil (the generic classifier reads the output).
    public let preset: String?
    /// `agent` in transient, usage and auth events, and the key of the agent's throttle: the
    /// preset when recognised, else the executable basename (as the original names agents).
    public let name: String

    public init(command: [String], name: String? = nil) {
        let first = command.first ?? ""
        let basename = first.split(separator: "/").last.map(String.init) ?? first
        if Self.presets.contains(basename) {
            preset = basename
        } else if let name, Self.presets.contains(name) {
            preset = name
        } else {
            preset = nil
        }
        self.name = preset ?? basename
    }

    /// The identity of a configured agent (the base `[agent]` or a phase's).
    public init(_ agent: AgentRunnerConfig.Agent) {
        self.init(command: agent.command, name: agent.name)
    }

    /// The classifier for this agent's output.
    public var classifier: any TranscriptClassifier {
        switch preset {
        case "claude": return ClaudeStreamClassifier()
        case "aider": return AiderTextClassifier()
        case "gemini": return GeminiStreamClassifier()
        case "codewhale": return CodewhaleStreamClassifier()
        case "kimi": return KimiStreamClassifier()
        case "pi": return PiStreamClassifier()
        default: return GenericTextClassifier()
        }
    }
}
