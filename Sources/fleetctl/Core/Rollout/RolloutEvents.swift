import FleetCore

// The events a rollout writes to the fleet event log (`fleet-events-YYYY-MM.jsonl`), each
// payload's keys spelled once, here. With `--json` each is also a step line on stdout:
// `{"step": ..., <the payload>}`. Every payload starts with `rollout`, the rollout's id.

/// `rollout_started`: a rollout began, or `--resume` took one up again. A new rollout names
/// its build, stages, hosts and journal; a resumed one says `resumed: true` instead.
public struct RolloutStarted: TypedEvent {
    public static let kind = EventKind.rolloutStarted
    public static let fields: [EventField<Self>] = [
        .string("rollout", \.rollout),
        .string("target", \.target),
        .optionalString("artifact", \.plan?.artifact),
        EventField("stages", type: "[str]?") { $0.plan.map { .array($0.stages.map(JSONValue.string)) } },
        EventField("hosts", type: "[str]?") { $0.plan.map { .array($0.hosts.map(JSONValue.string)) } },
        .optionalString("journal", \.plan?.journal),
        EventField("resumed", type: "bool?") { $0.plan == nil ? .bool(true) : nil },
    ]

    /// What a new rollout starts with.
    public struct Plan: Sendable, Equatable {
        /// `--artifact` or the inventory's pattern.
        public var artifact: String
        /// Stage labels, in order.
        public var stages: [String]
        public var hosts: [String]
        /// The journal's path.
        public var journal: String

        public init(artifact: String, stages: [String], hosts: [String], journal: String) {
            self.artifact = artifact
            self.stages = stages
            self.hosts = hosts
            self.journal = journal
        }
    }

    public var rollout: String
    public var target: String
    /// Nil for a resumed rollout.
    public var plan: Plan?

    public init(rollout: String, target: String, plan: Plan?) {
        self.rollout = rollout
        self.target = target
        self.plan = plan
    }
}

/// `rollout_stage_passed`: every host of a stage passed its health gate.
public struct RolloutStagePassed: TypedEvent {
    public static let kind = EventKind.rolloutStagePassed
    public static let fields: [EventField<Self>] = [
        .string("rollout", \.rollout),
        .string("stage", \.stage),
        .strings("hosts", \.hosts),
    ]

    public var rollout: String
    /// `canary`, `batch 1`, ...
    public var stage: String
    public var hosts: [String]

    public init(rollout: String, stage: String, hosts: [String]) {
        self.rollout = rollout
        self.stage = stage
        self.hosts = hosts
    }
}

/// `rollout_host_failed`: a host's upgrade failed or never reached it, or it failed its gate.
public struct RolloutHostFailed: TypedEvent {
    public static let kind = EventKind.rolloutHostFailed
    public static let fields: [EventField<Self>] = [
        .string("rollout", \.rollout),
        .string("host", \.host),
        .string("phase", \.phase),
        .string("reason", \.reason),
    ]

    public var rollout: String
    public var host: String
    /// `upgrade` or `health gate`.
    public var phase: String
    public var reason: String

    public init(rollout: String, host: String, phase: String, reason: String) {
        self.rollout = rollout
        self.host = host
        self.phase = phase
        self.reason = reason
    }
}

/// `rollout_rolled_back`: one host's rollback, done (`ok`) or failed, and what it found.
public struct RolloutRolledBack: TypedEvent {
    public static let kind = EventKind.rolloutRolledBack
    public static let fields: [EventField<Self>] = [
        .string("rollout", \.rollout),
        .string("host", \.host),
        .bool("ok", \.ok),
        .string("note", \.note),
    ]

    public var rollout: String
    public var host: String
    public var ok: Bool
    public var note: String

    public init(rollout: String, host: String, ok: Bool, note: String) {
        self.rollout = rollout
        self.host = host
        self.ok = ok
        self.note = note
    }
}

/// `rollout_finished`: the rollout ended (finished, failed or aborted) with this many hosts in
/// each state (`{"healthy": 3, "rolled_back": 1}`, states in name order).
public struct RolloutFinished: TypedEvent {
    public static let kind = EventKind.rolloutFinished
    public static let fields: [EventField<Self>] = [
        .string("rollout", \.rollout),
        .string("status", \.status.rawValue),
        .string("target", \.target),
        EventField("hosts", type: "object") { event in
            var tally = JSONObject()
            for state in event.hosts.keys.sorted() { tally[state] = .int(Int64(event.hosts[state] ?? 0)) }
            return .object(tally)
        },
    ]

    public var rollout: String
    public var status: RolloutJournal.Status
    public var target: String
    /// Host state (`healthy`, `rolled_back`, ...) → hosts in it.
    public var hosts: [String: Int]

    public init(rollout: String, status: RolloutJournal.Status, target: String, hosts: [String: Int]) {
        self.rollout = rollout
        self.status = status
        self.target = target
        self.hosts = hosts
    }

    /// The tally of `journal` as it ends.
    public init(_ journal: RolloutJournal) {
        self.init(
            rollout: journal.id, status: journal.status, target: journal.target,
            hosts: Dictionary(grouping: journal.hosts.values, by: \.rawValue).mapValues(\.count))
    }
}
