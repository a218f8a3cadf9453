import FleetCore
import SSHTransport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The demo fleet of `fleetctl demo`: several agent-runner projects on this machine, each with a
/// built-in demo agent that behaves like a real AI CLI in one particular way, so an operator
/// sees rounds progress, a rate limit ride out its reset, an auth failure get auto-stopped and a
/// crash loop halt — without any AI CLI or remote host.
public struct DemoFleet: Sendable {
    /// One demo host: its name, its agent's behaviour and its files.
    public struct Host: Sendable, Equatable {
        public var name: String
        public var behaviour: String
        public var directory: String
        public var configPath: String { directory + "/agent-runner.toml" }
        public var logDir: String { directory + "/logs" }
    }

    /// The demo hosts and what their agents do.
    public static let behaviours: [(name: String, behaviour: String, description: String)] = [
        ("healthy", "ok", "works round after round"),
        ("throttled", "ratelimit", "hits a provider rate limit once; serve waits for the reset, then carries on"),
        ("authfail", "auth", "its credentials are revoked: every round fails with 401; fleetctl auto-stops it"),
        ("crashloop", "crash", "crashes at once every round; serve's crash-loop breaker stops it (exit 75)"),
    ]

    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// The demo's folder: `dir` (made absolute against `currentDirectory`), else a new
    /// `/tmp/fleetctl-demo-XXXXXX`.
    public static func root(_ dir: String?, currentDirectory: String) throws(DemoError) -> String {
        if let dir { return ConfigPaths.absolute(dir, against: currentDirectory) }
        var template = Array("/tmp/fleetctl-demo-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw DemoError("cannot create a folder in /tmp: \(SystemError.text(errno))")
        }
        return String(cString: made)
    }

    public var hosts: [Host] {
        Self.behaviours.map { Host(name: $0.name, behaviour: $0.behaviour, directory: root + "/" + $0.name) }
    }

    public var inventoryPath: String { root + "/inventory.toml" }
    public var hookLog: String { root + "/hooks.log" }

    /// The demo agent: a POSIX shell script standing in for an AI CLI that prints claude-style
    /// stream-json. Its behaviour is the first argument.
    public static let agentScript = #"""
        #!/bin/sh
        # fleetctl demo agent: stands in for an AI coding CLI (claude stream-json style).
        behaviour="$1"
        cat > /dev/null
        state="$AGENT_RUNNER_LOG_DIR/demo-agent-rounds"
        n=$(( $(cat "$state" 2>/dev/null || echo 0) + 1 ))
        echo "$n" > "$state"
        echo '{"type":"system","subtype":"init","model":"demo-model"}'
        echo '{"type":"assistant","message":{"model":"demo-model","content":[{"type":"tool_use","id":"t1","name":"Read","input":{"file_path":"README.md"}}]}}'
        case "$behaviour" in
          ok)
            sleep 3
            echo "round $n: $(date -u +%H:%M:%S)" >> NOTES.md
            git add NOTES.md >/dev/null 2>&1 && git -c user.email=demo@example.com -c user.name=demo commit -qm "demo round $n" >/dev/null 2>&1
            echo '{"type":"result","is_error":false,"usage":{"input_tokens":1200,"output_tokens":340},"duration_ms":3000,"total_cost_usd":0.01,"result":"done"}'
            exit 0 ;;
          ratelimit)
            sleep 1
            if [ "$n" -eq 2 ]; then
              echo "{\"type\":\"rate_limit_event\",\"rate_limit_info\":{\"status\":\"rejected\",\"rateLimitType\":\"five_hour\",\"resetsAt\":$(( $(date +%s) + 20 ))}}"
              echo '{"type":"result","is_error":true,"result":"usage limit reached; resets in 20 s","duration_ms":900}'
              exit 1
            fi
            echo '{"type":"result","is_error":false,"usage":{"input_tokens":800,"output_tokens":120},"duration_ms":1000,"result":"done"}'
            exit 0 ;;
          auth)
            echo "Invalid API key (401 unauthorized): please run /login" >&2
            exit 1 ;;
          crash)
            echo "Error: segmentation fault in demo agent" >&2
            exit 3 ;;
        esac
        """#

    /// A prompt long enough for the startup battery (a stub prompt is refused as a broken config).
    public static let prompt = String(
        repeating:
            "This is the fleetctl demo. Read README.md, improve one small thing, write down what you did in NOTES.md and commit it. ",
        count: 6)

    /// The config of one demo host: short timeouts and delays so everything happens in a minute.
    public static func config(for host: Host) -> String {
        """
        # agent-runner.toml of the fleetctl demo host "\(host.name)": \(behaviours.first { $0.name == host.name }?.description ?? "")
        schema_version = 1

        [agent]
        # The demo agent writes Claude Code's stream-json: read its output as claude's.
        name = "claude"
        command = ["./demo-agent", "\(host.behaviour)"]
        prompt_delivery = "stdin"
        prompt_arg_template = []

        [runtime]
        work_dir = "."
        log_dir = "logs"
        round_budget_s = 60
        restart_delay_s = \(host.behaviour == "crash" ? 1 : 2)
        backoff_jitter_s = 3

        [prompt]
        file = "prompts/main.md"

        [monitor]
        auth_fail_hint = "demo: the agent's API key was revoked; a real operator would run `claude /login` on the host"

        """
    }

    /// The demo's inventory: every host local, fast polls, small detector windows so alerts fire
    /// within the first minute, and a hook that appends to hooks.log.
    /// With `sshConfig`, the hosts are reached over ssh with that client config (`--ssh`).
    public func inventory(agentRunner: String, sshConfig: String? = nil) -> String {
        var text = """
            # Inventory of the fleetctl demo (generated). Every host is a project on this machine,
            # reached without ssh (fleetctl demo uses the local transport); the rest is an
            # ordinary inventory: `fleetctl check -i <this file>` reads it.
            [defaults]
            agent_runner = "\(agentRunner)"\(sshConfig.map { "\nssh_config = \"\($0)\"" } ?? "")
            poll_interval_s = 2
            poll_timeout_s = 10
            remote_failure_tolerance_s = 10

            [defaults.detectors]
            window = 3
            rate_threshold = 0.5

            [defaults.auto_stop]
            on = ["oauth_fail", "disk_critical"]

            [[hooks]]
            name = "demo-log"
            command = ["sh", "-c", "printf '%s %s %s %s %s\\n' \\"$(date -u +%H:%M:%S)\\" \\"$FLEET_STATE\\" \\"$FLEET_SEVERITY\\" \\"$FLEET_HOST\\" \\"$FLEET_DETECTOR\\" >> '\(hookLog)'"]
            min_severity = "warning"
            timeout_s = 5

            """
        for host in hosts {
            text += """

                [hosts.\(host.name)]
                config = "\(host.configPath)"

                """
        }
        return text
    }

    /// Writes every host's project (a git repository with the prompt, the demo agent and the
    /// config) and the inventory.
    public func create(agentRunner: String, runner: any ProcessRunner, sshConfig: String? = nil) throws -> [Host] {
        if let error = Directories.create(root) { throw DemoError("cannot create \(root): \(SystemError.text(error))") }
        for host in hosts {
            if let error = Directories.create(host.directory + "/prompts") {
                throw DemoError("cannot create \(host.directory): \(SystemError.text(error))")
            }
            try write(Self.agentScript, to: host.directory + "/demo-agent", mode: 0o755)
            try write(Self.prompt + "\n", to: host.directory + "/prompts/main.md")
            try write(Self.config(for: host), to: host.configPath)
            try write("logs/\n", to: host.directory + "/.gitignore")
            try write("# \(host.name)\n\nA demo project of fleetctl demo.\n", to: host.directory + "/README.md")
            for arguments in [
                ["init", "-q"], ["add", "-A"],
                ["-c", "user.email=demo@example.com", "-c", "user.name=demo", "commit", "-qm", "demo project"],
            ] {
                let output = try runner.run(
                    ProcessRequest(
                        "git", arguments: arguments, workingDirectory: host.directory, deadline: .now + .seconds(30)))
                guard output.exit == .terminated(0) else {
                    throw DemoError(
                        "git \(arguments.joined(separator: " ")) failed in \(host.directory): \(output.stderrText)")
                }
            }
        }
        try write(inventory(agentRunner: agentRunner, sshConfig: sshConfig), to: inventoryPath)
        return hosts
    }

    private func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        do {
            try AtomicFile.write(text, to: path, mode: mode)
        } catch {
            throw DemoError("cannot write \(path): \(error)")
        }
    }
}

/// Why the demo could not be set up.
extension DemoFleet {
    /// The loopback sshd of `fleetctl demo --ssh`: every demo host an alias logging in as the
    /// current user, host key checking on, so the demo polls over real ssh as a fleet would.
    public static func sshServer(
        in directory: String, runner: any ProcessRunner, clock: any MonotonicClock
    )
        throws(DemoError) -> LoopbackSSHServer
    {
        do {
            return try LoopbackSSHServer(
                .init(aliases: behaviours.map(\.name)), directory: directory, runner: runner,
                clock: clock)
        } catch {
            let missing = error.description == LoopbackSSHServer.missingMessage
            throw DemoError(missing ? error.description + " (or run the demo without --ssh)" : error.description)
        }
    }
}

public struct DemoError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
