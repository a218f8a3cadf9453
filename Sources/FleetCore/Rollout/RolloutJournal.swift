/// The rollout's durable record: the plan and, per host, what has really happened. Written
/// atomically after every step so `fleetctl upgrade --resume ID` continues from the real state
/// (each host is re-checked on resume, never assumed).
public struct RolloutJournal: Sendable, Equatable {
    public enum HostState: String, Sendable, CaseIterable {
        case pending, upgrading, upgraded, healthy, failed
        case rolledBack = "rolled_back"
        case rollbackFailed = "rollback_failed"
    }

    public enum Status: String, Sendable, CaseIterable {
        case running, finished, failed, aborted
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

    /// Records a host's new state (and why).
    public mutating func record(_ host: String, _ state: HostState, note: String? = nil) {
        hosts[host] = state
        if let note { notes[host] = note }
    }

    /// Hosts this rollout changed (and so must roll back on abort), in plan order.
    public var touched: [String] {
        stages.flatMap { $0 }.filter { [.upgrading, .upgraded, .healthy, .failed].contains(hosts[$0] ?? .pending) }
    }

    public var json: JSONValue {
        var hostObject = JSONObject()
        for host in stages.flatMap({ $0 }) {
            var entry = JSONObject()
            entry["state"] = .string((hosts[host] ?? .pending).rawValue)
            if let note = notes[host] { entry["note"] = .string(note) }
            hostObject[host] = .object(entry)
        }
        return .object(JSONObject([
            ("id", .string(id)), ("target", .string(target)), ("created_at", .string(createdAt)), ("status", .string(status.rawValue)),
            ("current_stage", .int(Int64(currentStage))),
            ("stages", .array(zip(stageLabels, stages).map { label, hosts in
                .object(JSONObject([("label", .string(label)), ("hosts", .array(hosts.map { .string($0) }))]))
            })),
            ("hosts", .object(hostObject)),
        ]))
    }

    /// Reads a journal back; nil when the document is not one.
    public init?(json: JSONValue) {
        guard let object = json.objectValue, let id = object["id"]?.stringValue, let target = object["target"]?.stringValue,
              let status = object["status"]?.stringValue.flatMap(Status.init(rawValue:)),
              let stagesJSON = object["stages"]?.arrayValue else { return nil }
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
        }
    }
}
