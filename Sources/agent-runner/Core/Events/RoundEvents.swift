import FleetCore

// The events of one round (layer 1), in the order the round writes them (events.md §2).

/// `smoke_check_failed`: a startup-battery check failed (reported once per change of the
/// failures, not once per retry).
public struct SmokeCheckFailed: TypedEvent {
    public static let kind = EventKind.smokeCheckFailed
    public static let fields: [EventField<Self>] = [
        EventField("reason", type: "str") { .string("\($0.failure.check): \($0.failure.reason)") }
    ]

    public var failure: StartupBattery.Failure

    public init(_ failure: StartupBattery.Failure) {
        self.failure = failure
    }
}

/// `status_recovered`: status.json did not parse (a torn write from an older tool, a disk
/// error); the round starts without the previous round's context.
public struct StatusRecovered: TypedEvent {
    public static let kind = EventKind.statusRecovered
    public static let fields: [EventField<Self>] = [.string("reason", \.reason)]

    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }
}

/// `round_substrate_before`: HEAD before the round (null before the first commit).
/// `paths_hash` is always null: `substrate_fingerprint_paths` is not implemented.
public struct RoundSubstrateBefore: TypedEvent {
    public static let kind = EventKind.roundSubstrateBefore
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .string("git_head", \.gitHead), .string("paths_hash", \.pathsHash),
    ]

    public var roundNum: Int
    public var gitHead: String?
    /// ``SubstrateFingerprint``: null without `substrate_fingerprint_paths` or when none matches.
    public var pathsHash: String?

    public init(roundNum: Int, gitHead: String?, pathsHash: String? = nil) {
        self.roundNum = roundNum
        self.gitHead = gitHead
        self.pathsHash = pathsHash
    }
}

/// `round_substrate_after`: HEAD after the round and its dirty-tree handling (an auto-commit
/// moves it).
public struct RoundSubstrateAfter: TypedEvent {
    public static let kind = EventKind.roundSubstrateAfter
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .string("git_head", \.gitHead), .string("paths_hash", \.pathsHash),
    ]

    public var roundNum: Int
    public var gitHead: String?
    /// ``SubstrateFingerprint``: null without `substrate_fingerprint_paths` or when none matches.
    public var pathsHash: String?

    public init(roundNum: Int, gitHead: String?, pathsHash: String? = nil) {
        self.roundNum = roundNum
        self.gitHead = gitHead
        self.pathsHash = pathsHash
    }
}

/// `round_start`: the round's identity and the digest of what shapes it. When the digest
/// differs from the previous round's, `config_changed` is true and the `config_*` keys say what
/// the round now runs with (absent otherwise), so an operator sees when a change took effect.
public struct RoundStart: TypedEvent {
    /// What the round runs with, written when the config digest changed.
    public struct Change: Sendable, Equatable {
        public var promptFiles: [String]
        public var vcsDirtyAction: String
        public var promptDelivery: String

        public init(promptFiles: [String], vcsDirtyAction: String, promptDelivery: String) {
            self.promptFiles = promptFiles
            self.vcsDirtyAction = vcsDirtyAction
            self.promptDelivery = promptDelivery
        }
    }

    public static let kind = EventKind.roundStart
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .string("phase", \.phase), .string("config_digest", \.configDigest),
        EventField("config_changed", type: "bool") { .bool($0.change != nil) },
        EventField("config_prompt_files", type: "[str]?") {
            $0.change.map { .array($0.promptFiles.map { .string($0) }) }
        },
        EventField("config_check_names", type: "[str]?") { $0.change.map { _ in .array([]) } },
        EventField("config_vcs_dirty_action", type: "str?") { $0.change.map { .string($0.vcsDirtyAction) } },
        EventField("config_prompt_delivery", type: "str?") { $0.change.map { .string($0.promptDelivery) } },
    ]

    public var roundNum: Int
    public var phase: String?
    public var configDigest: String
    /// Set when the digest differs from the previous round's (nil for the first round ever).
    public var change: Change?

    public init(roundNum: Int, phase: String?, configDigest: String, change: Change?) {
        self.roundNum = roundNum
        self.phase = phase
        self.configDigest = configDigest
        self.change = change
    }
}

/// `fresh_eyes_round_triggered`: every `fresh_eyes_every_n`-th round the agent is told to look
/// at the work anew (`AGENT_RUNNER_FRESH_EYES=1`).
public struct FreshEyesRoundTriggered: TypedEvent {
    public static let kind = EventKind.freshEyesRoundTriggered
    public static let fields: [EventField<Self>] = [.int("round_num", \.roundNum), .int("every_n", \.everyN)]

    public var roundNum: Int
    public var everyN: Int

    public init(roundNum: Int, everyN: Int) {
        self.roundNum = roundNum
        self.everyN = everyN
    }
}

/// `agent_spawn`: the agent is about to start, with the round's hard wall.
public struct AgentSpawn: TypedEvent {
    public static let kind = EventKind.agentSpawn
    public static let fields: [EventField<Self>] = [.int("round_num", \.roundNum), .int("timeout_s", \.timeoutS)]

    public var roundNum: Int
    public var timeoutS: Int

    public init(roundNum: Int, timeoutS: Int) {
        self.roundNum = roundNum
        self.timeoutS = timeoutS
    }
}

/// `agent_exit`: how the agent ended. `exit_code` is minus the signal for a signal death;
/// `exit_cause` is `grace_kill`, `timeout`, `signal:<NAME>`, `clean` or `error`.
public struct AgentExited: TypedEvent {
    public static let kind = EventKind.agentExit
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .int("exit_code", \.exit.exitCode), .double("duration_s", \.exit.durationS),
        .bool("timed_out", \.exit.timedOut), .string("exit_cause", \.exit.exitCause),
    ]

    public var roundNum: Int
    public var exit: AgentExit

    public init(roundNum: Int, exit: AgentExit) {
        self.roundNum = roundNum
        self.exit = exit
    }
}

/// `agent_network_blip`: a failed round whose transcript shows a network failure (connection
/// refused, DNS, 502...): the network, not the agent, is the likely cause.
public struct AgentNetworkBlip: TypedEvent {
    public static let kind = EventKind.agentNetworkBlip
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .string("phase", \.phase), .string("matched", \.matched),
        .double("round_duration_s", \.exit.durationS), .int("exit_code", \.exit.exitCode),
        .bool("timed_out", \.exit.timedOut),
    ]

    public var roundNum: Int
    public var phase: String?
    public var matched: String
    public var exit: AgentExit

    public init(roundNum: Int, phase: String?, matched: String, exit: AgentExit) {
        self.roundNum = roundNum
        self.phase = phase
        self.matched = matched
        self.exit = exit
    }
}

/// `round_grace_kill`: the agent printed its result, the grace window passed with no live
/// workers, and the supervisor ended it. `live_children` is always empty (that is why).
public struct RoundGraceKill: TypedEvent {
    public static let kind = EventKind.roundGraceKill
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .int("grace_s", \.graceS),
        EventField("live_children", type: "[object]") { _ in .array([]) },
    ]

    public var roundNum: Int
    public var graceS: Int

    public init(roundNum: Int, graceS: Int) {
        self.roundNum = roundNum
        self.graceS = graceS
    }
}

/// `round_timeout_kill`: the round hit its hard wall and its process tree was killed.
public struct RoundTimeoutKill: TypedEvent {
    public static let kind = EventKind.roundTimeoutKill
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum),
        EventField("reason", type: "str") { .string("exceeded round_timeout_s=\($0.timeoutS)") },
    ]

    public var roundNum: Int
    public var timeoutS: Int

    public init(roundNum: Int, timeoutS: Int) {
        self.roundNum = roundNum
        self.timeoutS = timeoutS
    }
}

/// `round_end`: status.json is written; the round's own work is done.
public struct RoundEnd: TypedEvent {
    public static let kind = EventKind.roundEnd
    public static let fields: [EventField<Self>] = [.int("round_num", \.roundNum)]

    public var roundNum: Int

    public init(roundNum: Int) {
        self.roundNum = roundNum
    }
}

/// `round_grace_extended`: the grace window after the result passed, but the agent's workers
/// (not matched by `grace_kill_ignore_patterns`) still run, so the round goes on to its hard
/// wall. At most five of each list.
public struct RoundGraceExtended: TypedEvent {
    public static let kind = EventKind.roundGraceExtended
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .int("grace_s", \.graceS),
        EventField("live_children", type: "[object]") { event in
            .array(
                event.live.prefix(5).map { worker in
                    .object(JSONObject([("name", .string(worker.name)), ("pid", .int(Int64(worker.pid)))]))
                })
        },
        EventField("ignored_children", type: "[object]") { event in
            .array(
                event.ignored.prefix(5).map { worker in
                    .object(
                        JSONObject([
                            ("name", .string(worker.name)), ("pid", .int(Int64(worker.pid))),
                            ("matched", .string(worker.matched ?? "")),
                        ]))
                })
        },
    ]

    public var roundNum: Int
    public var graceS: Int
    public var live: [AgentWorker]
    public var ignored: [AgentWorker]

    public init(roundNum: Int, graceS: Int, live: [AgentWorker], ignored: [AgentWorker]) {
        self.roundNum = roundNum
        self.graceS = graceS
        self.live = live
        self.ignored = ignored
    }
}

/// `round_progress`: every `round_progress_interval_s` while the agent runs: how much it has
/// written and how long ago, so a stalled agent shows before its hard wall.
public struct RoundProgress: TypedEvent {
    public static let kind = EventKind.roundProgress
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .int("log_size_kb", \.logSizeKB), .int("last_write_age_s", \.lastWriteAgeS),
        .int("wall_age_s", \.wallAgeS),
    ]

    public var roundNum: Int
    public var logSizeKB: Int64
    public var lastWriteAgeS: Int64
    public var wallAgeS: Int64

    public init(roundNum: Int, logSizeKB: Int64, lastWriteAgeS: Int64, wallAgeS: Int64) {
        self.roundNum = roundNum
        self.logSizeKB = logSizeKB
        self.lastWriteAgeS = lastWriteAgeS
        self.wallAgeS = wallAgeS
    }
}
