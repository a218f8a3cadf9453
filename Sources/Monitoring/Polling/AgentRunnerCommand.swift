import FleetCore

/// The `agent-runner` command lines fleetctl runs on a host, as argv (quoted for the remote
/// shell by SSHTransport, so a config path holding quotes or `$(...)` arrives as one literal word).
public enum AgentRunnerCommand {
    /// Events requested with each peek: enough for the rate detectors' 10-round windows and the
    /// rounds derived from events on hosts (0.3.14) that ship no `recent_rounds`.
    public static let peekEvents = 200

    /// `<agent_runner> peek --json --events 200 [--config PATH]`.
    public static func peek(_ settings: PollSettings) -> [String] {
        verb(["peek", "--json", "--events", String(peekEvents)], settings)
    }

    /// `<agent_runner> WORDS... [--config PATH]`; `--config` goes after the verb, which both
    /// the original (argparse) and our agent-runner accept.
    public static func verb(_ words: [String], _ settings: PollSettings) -> [String] {
        var argv = [remotePath(settings.agentRunner)] + words
        if let config = settings.remoteConfig { argv += ["--config", remotePath(config)] }
        return argv
    }

    /// The inventory documents `~` as the remote home, but every word reaches the remote shell
    /// quoted, where `~` is not expanded. ssh runs commands in the login directory, so `~/x/y`
    /// is written as the relative path `x/y` (and `~` as `.`), and `~/x` as `./x`: a bare `x`
    /// in the program's place would be looked up on the remote PATH instead of in the home
    /// (`agent_runner = "~/agent-runner"` ran whatever `agent-runner` the PATH held). Other
    /// paths pass unchanged.
    public static func remotePath(_ path: String) -> String {
        if path == "~" { return "." }
        if path.hasPrefix("~/") {
            let rest = String(path.dropFirst(2).drop { $0 == "/" })
            if rest.isEmpty { return "." }
            return rest.contains("/") ? rest : "./" + rest
        }
        return path
    }
}
