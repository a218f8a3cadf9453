import FleetCore

// The events `agent-runner upgrade` writes, one type per kind, each payload key spelled once.
// The shapes are the original's (spec events.md §3.5): fleetctl's rollout gate and the
// operator's `jq` read them, so key order, JSON types and the 200-character cut of failure
// reasons are part of the interface (LifecycleEventsTests pins each one).

/// `package_upgraded`: bin_link switched to a new build without restarting anything; the
/// operator (or the unit's next restart) loads it.
public struct PackageUpgraded: TypedEvent {
    public static let kind = EventKind.packageUpgraded
    public static let fields: [EventField<Self>] = [
        .string("from_version", \.fromVersion),
        .string("to_version", \.toVersion),
        EventField("restart_deferred", type: "bool") { _ in .bool(true) },
    ]

    public var fromVersion: String
    public var toVersion: String

    public init(fromVersion: String, toVersion: String) {
        self.fromVersion = fromVersion
        self.toVersion = toVersion
    }
}

/// `service_upgraded`: the service was stopped, switched, started on the new build and stayed
/// up; `duration_s` from the stop to the confirmation, in milliseconds.
public struct ServiceUpgraded: TypedEvent {
    public static let kind = EventKind.serviceUpgraded
    public static let fields: [EventField<Self>] = [
        .string("from_version", \.fromVersion),
        .string("to_version", \.toVersion),
        EventField("duration_s", type: "float") { .double(LifecycleEventText.seconds($0.duration)) },
    ]

    public var fromVersion: String
    public var toVersion: String
    public var duration: Duration

    public init(fromVersion: String, toVersion: String, duration: Duration) {
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.duration = duration
    }
}

/// `upgrade_start_failed`: the new build is switched in but the service did not stay up on
/// it; `remedy` is the command that shows why. A rollback follows.
public struct UpgradeStartFailed: TypedEvent {
    public static let kind = EventKind.upgradeStartFailed
    public static let fields: [EventField<Self>] = [
        .string("to_version", \.toVersion),
        EventField("failure_reason", type: "str") { .string(LifecycleEventText.reason($0.failureReason)) },
        .string("remedy", \.remedy),
    ]

    public var toVersion: String
    public var failureReason: String
    public var remedy: String

    public init(toVersion: String, failureReason: String, remedy: String) {
        self.toVersion = toVersion
        self.failureReason = failureReason
        self.remedy = remedy
    }
}

/// `service_upgrade_rolled_back`: the new build failed (smoke, switch or start) and the old
/// one runs the service again; `duration_s` from the stop to the restored service.
public struct ServiceUpgradeRolledBack: TypedEvent {
    public static let kind = EventKind.serviceUpgradeRolledBack
    public static let fields: [EventField<Self>] = [
        .string("attempted_version", \.attemptedVersion),
        .string("restored_version", \.restoredVersion),
        EventField("failure_reason", type: "str") { .string(LifecycleEventText.reason($0.failureReason)) },
        EventField("duration_s", type: "float") { .double(LifecycleEventText.seconds($0.duration)) },
    ]

    public var attemptedVersion: String
    public var restoredVersion: String
    public var failureReason: String
    public var duration: Duration

    public init(attemptedVersion: String, restoredVersion: String, failureReason: String, duration: Duration) {
        self.attemptedVersion = attemptedVersion
        self.restoredVersion = restoredVersion
        self.failureReason = failureReason
        self.duration = duration
    }
}

/// `service_upgrade_rollback_failed`: even the old build could not be started again; the
/// service is stopped and the operator must act (the CRITICAL message says what to run).
public struct ServiceUpgradeRollbackFailed: TypedEvent {
    public static let kind = EventKind.serviceUpgradeRollbackFailed
    public static let fields: [EventField<Self>] = [
        .string("attempted_version", \.attemptedVersion),
        .string("restore_target_version", \.restoreTargetVersion),
        EventField("failure_reason", type: "str") { .string(LifecycleEventText.reason($0.failureReason)) },
    ]

    public var attemptedVersion: String
    public var restoreTargetVersion: String
    public var failureReason: String

    public init(attemptedVersion: String, restoreTargetVersion: String, failureReason: String) {
        self.attemptedVersion = attemptedVersion
        self.restoreTargetVersion = restoreTargetVersion
        self.failureReason = failureReason
    }
}

/// `upgrade_recovered`: an upgrade cut short (killed, host rebooted) was brought to an end by
/// the next `agent-runner upgrade` before anything else. Not in the original.
public struct UpgradeRecovered: TypedEvent {
    public static let kind = EventKind.upgradeRecovered
    public static let fields: [EventField<Self>] = [
        .string("from_version", \.record.fromVersion),
        .string("to_version", \.record.toVersion),
        .string("step", \.record.step.rawValue),
        .string("action", \.action.eventName),
        EventField("interrupted_pid", type: "int") { .int(Int64($0.record.pid)) },
    ]

    /// The interrupted upgrade's record.
    public var record: UpgradeRecord
    public var action: UpgradeRecovery

    public init(record: UpgradeRecord, action: UpgradeRecovery) {
        self.record = record
        self.action = action
    }
}

extension UpgradeRecovery {
    /// `upgrade_recovered`'s `action`: `completed`, `finished` or `restored`.
    public var eventName: String {
        switch self {
        case .completed: return "completed"
        case .finish: return "finished"
        case .restore: return "restored"
        }
    }
}

/// How the upgrade events write durations and reasons, as the original did.
enum LifecycleEventText {
    /// Seconds with whole milliseconds (`2.345`), cut, not rounded.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.milliseconds) / 1000
    }

    /// A failure reason cut to its first 200 characters.
    static func reason(_ text: String) -> String {
        UTF8Clip.prefix(text, maxScalars: 200, maxBytes: 800)
    }
}

/// The events agent-runner's lifecycle verbs write (today: `upgrade`), for docs/events.md and
/// its drift test. `config_migrated` is not here: this agent-runner migrates no config, so it
/// only reads that kind from the original's logs.
public enum LifecycleEvents {
    public static let all: [any TypedEvent.Type] = [
        PackageUpgraded.self, ServiceUpgraded.self, UpgradeStartFailed.self, ServiceUpgradeRolledBack.self,
        ServiceUpgradeRollbackFailed.self, UpgradeRecovered.self,
    ]
}
