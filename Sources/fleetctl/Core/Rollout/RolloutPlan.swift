import FleetCore

/// What a staged upgrade will do, computed before anything is touched: printed by `--dry-run`,
/// recorded in the rollout journal, and followed stage by stage.
public struct RolloutPlan: Sendable, Equatable {
    public enum StageKind: Sendable, Equatable {
        case canary
        case batch(Int)
    }

    public struct Stage: Sendable, Equatable {
        public var kind: StageKind
        public var hosts: [String]

        public var label: String {
            switch kind {
            case .canary: return "canary"
            case .batch(let number): return "batch \(number)"
            }
        }
    }

    public enum SkipReason: Sendable, Equatable {
        case alreadyOnTarget
        case unreachable(String)
        /// A migration skips a host that does not run the original (it runs ours at this version).
        case notOriginal(String)
        /// An upgrade skips a host that runs the original: its `upgrade` verb is not ours.
        case runsOriginal
    }

    public var target: String
    /// An upgrade between our builds, or a migration from the original.
    public var kind = RolloutJournal.Kind.upgrade
    public var stages: [Stage]
    public var skipped: [(host: String, reason: SkipReason)]

    public static func == (lhs: RolloutPlan, rhs: RolloutPlan) -> Bool {
        lhs.target == rhs.target && lhs.kind == rhs.kind && lhs.stages == rhs.stages
            && lhs.skipped.map(\.host) == rhs.skipped.map(\.host)
            && lhs.skipped.map(\.reason) == rhs.skipped.map(\.reason)
    }

    /// Every host the plan will upgrade, in order.
    public var hosts: [String] { stages.flatMap(\.hosts) }

    /// The `--json` plan line: `{step: "plan", dry_run, target, stages: [{label, hosts}],
    /// skipped: [{host, reason, error?}]}`.
    public func json(dryRun: Bool) -> JSONObject {
        [
            "step": "plan", "dry_run": .bool(dryRun), "target": .string(target),
            "stages": .array(
                stages.map {
                    .object(["label": .string($0.label), "hosts": .array($0.hosts.map(JSONValue.string))])
                }),
            "skipped": .array(
                skipped.map { host, reason in
                    switch reason {
                    case .alreadyOnTarget:
                        return .object(["host": .string(host), "reason": "already_on_target"])
                    case .unreachable(let why):
                        return .object(["host": .string(host), "reason": "unreachable", "error": .string(why)])
                    case .notOriginal(let version):
                        return .object(["host": .string(host), "reason": "not_original", "version": .string(version)])
                    case .runsOriginal:
                        return .object(["host": .string(host), "reason": "runs_original"])
                    }
                }),
        ]
    }

    /// Human text, one line per stage and skipped host.
    public var text: String {
        let noun = kind == .migration ? "migration from the original to" : "rollout to"
        let hostCount = "\(hosts.count) host\(hosts.count == 1 ? "" : "s")"
        let counts = "\(hostCount) in \(stages.count) stage\(stages.count == 1 ? "" : "s")"
        var lines = ["\(noun) \(target): \(counts)"]
        for stage in stages {
            lines.append("  \(stage.label): \(stage.hosts.joined(separator: ", "))")
        }
        for (host, reason) in skipped {
            switch reason {
            case .alreadyOnTarget: lines.append("  skip \(host): already on \(target)")
            case .unreachable(let why):
                lines.append("  skip \(host): unreachable (\(why)); --include-unreachable to try it anyway")
            case .notOriginal(let version):
                lines.append(
                    "  skip \(host): runs our agent-runner \(version), not the original "
                        + "(fleetctl upgrade moves it)")
            case .runsOriginal:
                lines.append("  skip \(host): runs the original 0.3.x (fleetctl migrate moves it)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A host as the planner sees it after one poll.
public struct RolloutCandidate: Sendable, Equatable {
    public var name: String
    /// The agent-runner version the host reports; nil when it could not be read.
    public var version: String?
    public var reachable: Bool
    /// Why it could not be reached (for the plan's text).
    public var error: String?
    /// An `agent-runner upgrade` is under way on the host or was cut short (a reboot mid-upgrade):
    /// the version it reports was never confirmed, so it is not "already on the target".
    public var upgradeInProgress: Bool
    /// The host answered with the original 0.3.x's peek (a migration's candidates).
    public var runsOriginal: Bool

    /// The candidate a planning probe of `name` makes.
    public init(name: String, answer: RolloutHostProbe.Answer) {
        self.init(
            name: name, version: answer.version, reachable: answer.reachable, error: answer.error,
            upgradeInProgress: answer.upgradeInProgress, runsOriginal: answer.runsOriginal)
    }

    public init(
        name: String, version: String?, reachable: Bool, error: String? = nil, upgradeInProgress: Bool = false,
        runsOriginal: Bool = false
    ) {
        self.name = name
        self.version = version
        self.reachable = reachable
        self.error = error
        self.upgradeInProgress = upgradeInProgress
        self.runsOriginal = runsOriginal
    }
}

/// Builds a ``RolloutPlan``. Pure.
///
/// Rules: hosts already on the target are skipped (unless an upgrade there is unfinished); unreachable hosts are listed and left out
/// unless `includeUnreachable`; canary hosts form the first stage alone and are never mixed into
/// later batches; the rest go in batches of `batch` in inventory order.
public enum RolloutPlanner {
    /// - Parameter kind: a migration plans only hosts that run the original (and reachable ones
    ///   that answer as ours are skipped as not original).
    public static func plan(
        candidates: [RolloutCandidate], target: String, canary: Set<String>, batch: BatchSize,
        includeUnreachable: Bool = false, kind: RolloutJournal.Kind = .upgrade
    ) -> RolloutPlan {
        var skipped: [(host: String, reason: RolloutPlan.SkipReason)] = []
        var eligible: [String] = []
        for candidate in candidates {
            if kind == .migration && candidate.reachable && !candidate.runsOriginal {
                skipped.append(
                    (
                        candidate.name,
                        candidate.version == target
                            ? .alreadyOnTarget
                            : .notOriginal(candidate.version ?? "of an unknown version")
                    ))
            } else if kind == .upgrade && candidate.reachable && candidate.runsOriginal {
                skipped.append((candidate.name, .runsOriginal))
            } else if kind == .upgrade && candidate.version == target && !candidate.upgradeInProgress {
                skipped.append((candidate.name, .alreadyOnTarget))
            } else if !candidate.reachable && !includeUnreachable {
                skipped.append((candidate.name, .unreachable(candidate.error ?? "no answer")))
            } else {
                eligible.append(candidate.name)
            }
        }
        var stages: [RolloutPlan.Stage] = []
        let canaryHosts = eligible.filter { canary.contains($0) }
        if !canaryHosts.isEmpty { stages.append(.init(kind: .canary, hosts: canaryHosts)) }
        let rest = eligible.filter { !canary.contains($0) }
        let size = batch.hosts(outOf: rest.count)
        var index = 0
        var number = 1
        while index < rest.count {
            stages.append(.init(kind: .batch(number), hosts: Array(rest[index..<min(rest.count, index + size)])))
            index += size
            number += 1
        }
        var plan = RolloutPlan(target: target, stages: stages, skipped: skipped)
        plan.kind = kind
        return plan
    }
}
