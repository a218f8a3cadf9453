import FleetCore
import SSHTransport

// The events of the restart loop (layer 2): how serve starts and stops, and why.

/// `serve_started`: serve holds `serve.lock` and is about to run rounds; `max_rounds` is null
/// when unbounded.
public struct ServeStarted: TypedEvent {
    public static let kind = EventKind.serveStarted
    public static let fields: [EventField<Self>] = [
        .int("pid", \.pid), .string("version", \.version), .string("config_path", \.configPath),
        .int("max_rounds", \.maxRounds),
    ]

    public var pid: Int32
    public var version: String
    public var configPath: String
    public var maxRounds: Int?

    public init(pid: Int32, version: String, configPath: String, maxRounds: Int?) {
        self.pid = pid
        self.version = version
        self.configPath = configPath
        self.maxRounds = maxRounds
    }
}

/// `serve_stopped`: the last event of a serve; `reason` is what systemd's exit code means.
public struct ServeStopped: TypedEvent {
    public static let kind = EventKind.serveStopped
    public static let fields: [EventField<Self>] = [
        .string("reason", \.reason), .int("rounds_completed", \.roundsCompleted), .int("exit_code", \.exitCode),
    ]

    public var reason: String
    public var roundsCompleted: Int
    public var exitCode: Int32

    public init(reason: String, roundsCompleted: Int, exitCode: Int32) {
        self.reason = reason
        self.roundsCompleted = roundsCompleted
        self.exitCode = exitCode
    }
}

/// `agent_self_terminated`: the agent wrote `.agent-done` (its first 200 characters are the
/// reason), or a throttle stopped serve under `transient_error_action = "stop"`.
public struct AgentSelfTerminated: TypedEvent {
    public static let kind = EventKind.agentSelfTerminated
    public static let fields: [EventField<Self>] = [.string("reason", \.reason)]

    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }
}

/// `stop_file_detected`: `[runtime] stop_file` exists; its first 200 characters say why.
public struct StopFileDetected: TypedEvent {
    public static let kind = EventKind.stopFileDetected
    public static let fields: [EventField<Self>] = [
        .string("stop_file", \.stopFile), .string("content", \.content), .int("rounds_completed", \.roundsCompleted),
    ]

    public var stopFile: String
    public var content: String
    public var roundsCompleted: Int

    public init(stopFile: String, content: String, roundsCompleted: Int) {
        self.stopFile = stopFile
        self.content = content
        self.roundsCompleted = roundsCompleted
    }
}

/// `max_rounds_reached`: `--max-rounds` or `[runtime] max_rounds` rounds ran.
public struct MaxRoundsReached: TypedEvent {
    public static let kind = EventKind.maxRoundsReached
    public static let fields: [EventField<Self>] = [
        .int("rounds_completed", \.roundsCompleted), .int("max_rounds", \.maxRounds),
    ]

    public var roundsCompleted: Int
    public var maxRounds: Int

    public init(roundsCompleted: Int, maxRounds: Int) {
        self.roundsCompleted = roundsCompleted
        self.maxRounds = maxRounds
    }
}

/// `config_broken`: the startup battery failed permanently; serve exits 78 instead of
/// respawning a doomed round forever.
public struct ConfigBroken: TypedEvent {
    public static let kind = EventKind.configBroken
    public static let fields: [EventField<Self>] = [.string("reason", \.reason)]

    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    /// `startup battery failed permanently: <check>: <reason>; ...` for the permanent failures.
    public init(permanentFailures failures: [StartupBattery.Failure]) {
        reason =
            "startup battery failed permanently: "
            + failures.filter(\.permanent).map { "\($0.check): \($0.reason)" }.joined(separator: "; ")
    }
}

/// `crash_loop`: the breaker gave up after `consecutive` short unexplained crashes; `reason` is
/// the redacted tail of the last transcript (or why the agent could not start).
public struct CrashLoop: TypedEvent {
    public static let kind = EventKind.crashLoop
    public static let fields: [EventField<Self>] = [
        .int("consecutive", \.consecutive), .int("exit_code", \.exitCode), .string("reason", \.reason),
    ]

    public var consecutive: Int
    public var exitCode: Int32
    public var reason: String

    public init(consecutive: Int, exitCode: Int32, reason: String) {
        self.consecutive = consecutive
        self.exitCode = exitCode
        self.reason = reason
    }
}

/// `stale_agent_killed`: an agent left running by a serve that died (kill -9, OOM) was killed
/// with its group before the first round, so two agents never share a work tree.
public struct StaleAgentKilled: TypedEvent {
    public static let kind = EventKind.staleAgentKilled
    public static let fields: [EventField<Self>] = [.int("pid", \.pid), .int("processes", \.processes)]

    public var pid: Int32
    public var processes: Int

    public init(pid: Int32, processes: Int) {
        self.pid = pid
        self.processes = processes
    }
}

/// `round_logs_prune_deferred`: retention would delete more rounds than it keeps, so it deleted
/// none (a misconfigured retention must not wipe a backlog the operator wants). Serve reports it
/// once when the backlog appears, not at every round; the hint names the command that clears it.
public struct RoundLogsPruneDeferred: TypedEvent {
    public static let kind = EventKind.roundLogsPruneDeferred
    public static let fields: [EventField<Self>] = [
        .string("directory", \.directory), .int("existing", \.existing), .int("keep", \.keep),
        .int("would_delete", \.wouldDelete), .int("would_free_bytes", \.wouldFreeBytes),
        EventField("hint", type: "str") { .string($0.hint) },
    ]

    public var directory: String
    public var existing: Int
    public var keep: Int
    public var wouldDelete: Int
    public var wouldFreeBytes: Int
    /// The agent-runner.toml serve runs with, for the command in the hint.
    public var configPath: String

    public init(directory: String, existing: Int, keep: Int, wouldDelete: Int, wouldFreeBytes: Int, configPath: String)
    {
        self.directory = directory
        self.existing = existing
        self.keep = keep
        self.wouldDelete = wouldDelete
        self.wouldFreeBytes = wouldFreeBytes
        self.configPath = configPath
    }

    /// What to do: the exact command that deletes the backlog, or the setting that keeps it.
    public var hint: String {
        "nothing deleted; run `agent-runner prune --yes --config \(RemoteCommand.quote(configPath))` to delete the "
            + "\(wouldDelete) oldest rounds' logs (\(RoundLogsPruneDeferred.megabytes(wouldFreeBytes)) MB) in \(directory), "
            + "or raise runtime.round_log_retention to >= \(existing) (and round_log_max_mb) to keep this backlog"
    }

    /// Bytes as MB with one decimal (`12.5`).
    public static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 524_288) / 1_048_576
        return "\(tenths / 10).\(tenths % 10)"
    }
}
