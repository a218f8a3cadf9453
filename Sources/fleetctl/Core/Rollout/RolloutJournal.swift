import FleetCore

/// The rollout's durable record: the plan and, per host, what has really happened. Written
/// atomically after every step so `fleetctl upgrade --resume ID` continues from the real state
/// (each host is re-checked on resume, never assumed).
public struct RolloutJournal: Sendable, Equatable {
    public enum HostState: String, Sendable, CaseIterable {
        case pending, upgrading, upgraded, healthy, failed
        /// The upgrade never reached the host (ssh failed before the command ran): a failure
        /// that counts against `max_failures`, but nothing there changed, so nothing to roll back.
        case unreached
        case rolledBack = "rolled_back"
        case rollbackFailed = "rollback_failed"
    }

    public enum Status: String, Sendable, CaseIterable {
        case running, finished, failed, aborted
    }

    /// What the rollout does to each host: push a build of ours (`fleetctl upgrade`), or move
    /// it from the original 0.3.x to ours (`fleetctl migrate`).
    public enum Kind: String, Sendable {
        case upgrade, migration

        /// The fleetctl verb that runs, resumes and aborts it.
        public var verb: String { self == .upgrade ? "upgrade" : "migrate" }
    }

    public var id: String
    public var target: String
    public var createdAt: String
    public var status: Status
    public var stages: [[String]]
    public var stageLabels: [String]
    /// Index of the stage in progress (== stages.count when all passed).
    public var currentStage: Int
    public var hosts: [String: HostState]
    public var notes: [String: String]
    /// Whether each host's service was active when the rollout planned it: a rollback restarts
    /// only services that were running before, and the gate demands an active service only there.
    public var serviceActiveBefore: [String: Bool] = [:]
    /// Critical alerts firing on each host before the rollout touched it: only new ones fail
    /// the health gate.
    public var criticalBefore: [String: [String]] = [:]
    /// What `--resume` needs to carry on exactly as started.
    public var settings = Settings()
    public var kind = Kind.upgrade
    /// A migration's restore record of each host it touched.
    public var migrations: [String: MigrationRecord] = [:]

    /// The rollout's parameters, recorded so a resumed rollout uses the same ones.
    public struct Settings: Sendable, Equatable {
        /// `--artifact` or the inventory's pattern (with `{arch}`), or its `[upgrade] source`
        /// template when `releaseSource`.
        public var artifact = ""
        /// `artifact` is an `[upgrade] source` template: builds come from its SHA256SUMS.
        public var releaseSource = false
        public var bakeS: Double = 300
        public var maxFailures = 0
        public var rollback = true
        /// A migration's install places and stop timeout (nil for an upgrade).
        public var migration: MigrationSettings?
        /// How builds go onto hosts (`[upgrade] method`).
        public var method = UpgradeMethod.binary
        public init(
            artifact: String = "", releaseSource: Bool = false, bakeS: Double = 300, maxFailures: Int = 0,
            rollback: Bool = true, migration: MigrationSettings? = nil
        ) {
            self.artifact = artifact
            self.releaseSource = releaseSource
            self.bakeS = bakeS
            self.maxFailures = maxFailures
            self.rollback = rollback
            self.migration = migration
        }
    }

    public init(id: String, plan: RolloutPlan, createdAt: String) {
        self.id = id
        target = plan.target
        self.createdAt = createdAt
        status = .running
        stages = plan.stages.map(\.hosts)
        stageLabels = plan.stages.map(\.label)
        currentStage = 0
        hosts = Dictionary(uniqueKeysWithValues: plan.hosts.map { ($0, HostState.pending) })
        notes = [:]
    }

    /// A new rollout's journal: its plan and settings, and how each planned host was before the
    /// rollout touched it, from the planning probes (`before`, host name and answer): whether
    /// its service ran (a rollback restarts only those, and the gate demands a running service
    /// only there; unknown counts as not running) and which critical alerts already fired (only
    /// new ones fail the gate). Probes of hosts the plan leaves out are ignored.
    public init(
        id: String, plan: RolloutPlan, createdAt: String, settings: Settings,
        before probes: [(host: String, answer: RolloutHostProbe.Answer)]
    ) {
        self.init(id: id, plan: plan, createdAt: createdAt)
        self.settings = settings
        let planned = Set(plan.hosts)
        for (host, answer) in probes where planned.contains(host) {
            serviceActiveBefore[host] = answer.serviceActive ?? false
            criticalBefore[host] = answer.criticalAlerts
        }
    }

    /// Records a host's new state (and why).
    public mutating func record(_ host: String, _ state: HostState, note: String? = nil) {
        hosts[host] = state
        if let note { notes[host] = note }
    }

    /// Hosts that failed their upgrade or their gate in this rollout, or that it could not reach.
    public var failures: Int {
        hosts.values.filter { $0 == .failed || $0 == .unreached }.count
    }

    /// Hosts this rollout changed (and so must roll back on abort), in plan order. A host whose
    /// rollback failed is still changed: it could not be reached (it was rebooting, say), and
    /// `--abort` once it is back is how it gets rolled back.
    public var touched: [String] {
        stages.flatMap { $0 }.filter {
            [.upgrading, .upgraded, .healthy, .failed, .rollbackFailed].contains(hosts[$0] ?? .pending)
        }
    }

    public var json: JSONValue {
        var hostObject = JSONObject()
        for host in stages.flatMap({ $0 }) {
            var entry = JSONObject()
            entry["state"] = .string((hosts[host] ?? .pending).rawValue)
            if let note = notes[host] { entry["note"] = .string(note) }
            if let active = serviceActiveBefore[host] { entry["service_active_before"] = .bool(active) }
            if let critical = criticalBefore[host] { entry["critical_before"] = .array(critical.map { .string($0) }) }
            if let record = migrations[host] { entry["restore"] = record.json }
            hostObject[host] = .object(entry)
        }
        var settingsObject = JSONObject([
            ("artifact", .string(settings.artifact)), ("release_source", .bool(settings.releaseSource)),
            ("bake_s", .double(settings.bakeS)),
            ("max_failures", .int(Int64(settings.maxFailures))), ("rollback", .bool(settings.rollback)),
        ])
        if settings.method != .binary { settingsObject["method"] = .string(settings.method.rawValue) }
        if let migration = settings.migration {
            settingsObject["migration"] = .object(
                JSONObject([
                    ("link", .string(migration.link)), ("versions_dir", .string(migration.versionsDir)),
                    ("stop_timeout_s", .double(migration.stopTimeoutS)),
                ]))
        }
        var object = JSONObject([
            ("id", .string(id)), ("target", .string(target)), ("created_at", .string(createdAt)),
            ("status", .string(status.rawValue)),
            ("current_stage", .int(Int64(currentStage))),
            (
                "stages",
                .array(
                    zip(stageLabels, stages).map { label, hosts in
                        .object(JSONObject([("label", .string(label)), ("hosts", .array(hosts.map { .string($0) }))]))
                    })
            ),
            ("hosts", .object(hostObject)),
            ("settings", .object(settingsObject)),
        ])
        if kind == .migration { object["kind"] = .string(kind.rawValue) }
        return .object(object)
    }

    /// Reads a journal back; nil when the document is not one.
    public init?(json: JSONValue) {
        guard let object = json.objectValue, let id = object["id"]?.stringValue,
            let target = object["target"]?.stringValue,
            let status = object["status"]?.stringValue.flatMap(Status.init(rawValue:)),
            let stagesJSON = object["stages"]?.arrayValue
        else { return nil }
        self.id = id
        self.target = target
        createdAt = object["created_at"]?.stringValue ?? ""
        self.status = status
        stageLabels = stagesJSON.map { $0["label"]?.stringValue ?? "" }
        stages = stagesJSON.map { $0["hosts"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        currentStage = object["current_stage"]?.intValue.flatMap { Int(exactly: $0) } ?? 0
        hosts = [:]
        notes = [:]
        for (host, entry) in object["hosts"]?.objectValue ?? JSONObject() {
            hosts[host] = entry["state"]?.stringValue.flatMap(HostState.init(rawValue:)) ?? .pending
            if let note = entry["note"]?.stringValue { notes[host] = note }
            if let active = entry["service_active_before"]?.boolValue { serviceActiveBefore[host] = active }
            if let critical = entry["critical_before"]?.arrayValue {
                criticalBefore[host] = critical.compactMap(\.stringValue)
            }
            if let record = entry["restore"].flatMap(MigrationRecord.init(json:)) { migrations[host] = record }
        }
        kind = object["kind"]?.stringValue.flatMap(Kind.init(rawValue:)) ?? .upgrade
        if let saved = object["settings"]?.objectValue {
            settings.artifact = saved["artifact"]?.stringValue ?? ""
            settings.releaseSource = saved["release_source"]?.boolValue ?? false
            settings.method = saved["method"]?.stringValue.flatMap(UpgradeMethod.init(rawValue:)) ?? .binary
            settings.bakeS = saved["bake_s"]?.doubleValue ?? settings.bakeS
            settings.maxFailures = saved["max_failures"]?.intValue.flatMap { Int(exactly: $0) } ?? 0
            settings.rollback = saved["rollback"]?.boolValue ?? true
            if let migration = saved["migration"]?.objectValue {
                settings.migration = MigrationSettings(
                    link: migration["link"]?.stringValue ?? MigrationSettings.defaultLink,
                    versionsDir: migration["versions_dir"]?.stringValue ?? MigrationSettings.defaultVersionsDir,
                    stopTimeoutS: migration["stop_timeout_s"]?.doubleValue ?? MigrationSettings().stopTimeoutS)
            }
        }
    }
}
