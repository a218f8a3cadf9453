import FleetCore

/// `round_start.config_digest`: a fingerprint of what shapes a round (prompt files and their
/// content, delivery, dirty action, agent env), so an operator can see in the event log exactly
/// when a change took effect.
public enum ConfigDigest {
    public static func compute(
        config: AgentRunnerConfig, promptFiles: [String], agent: AgentRunnerConfig.Agent,
        fileSystem: any FileSystem
    ) -> String {
        let hashes: [JSONValue] = promptFiles.map { path in
            (try? fileSystem.readFile(path)).map { .string(SHA256.hex(of: $0)) } ?? .null
        }
        let env = agent.env.sorted { $0.name < $1.name }.map { JSONValue.array([.string($0.name), .string($0.value)]) }
        // Keys in sorted order, compact: the digest must not depend on dictionary order.
        let document = JSONValue.object(
            JSONObject([
                ("agent_env", .array(env)),
                ("checks", .array([])),
                ("prompt_delivery", .string(agent.promptDelivery.rawValue)),
                ("prompt_file_sha256", .array(hashes)),
                ("prompt_files", .array(promptFiles.map { .string($0) })),
                ("vcs_dirty_action", .string(config.vcs.dirtyAction.rawValue)),
            ]))
        return SHA256.hex(of: JSONWriter(style: .compact).encode(document))
    }
}
