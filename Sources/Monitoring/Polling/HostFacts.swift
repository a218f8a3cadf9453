import FleetCore

/// The status facts a peek document reports, for `fleetctl status` rows and the watch table.
/// Read field by field from our agent-runner's document and the original 0.3.14's (schema 2.6)
/// alike; whatever is missing or of the wrong type stays nil.
public struct HostFacts: Sendable, Equatable {
    /// `running` (service active), `stopped`, or `unknown` when the document has no service block.
    public var service: String
    /// How the service is managed: `systemd_user`, `pid_file`, `none`.
    public var serviceMode: String?
    public var round: Int?
    public var phase: String?
    public var lastExit: Int?
    public var diskUsedPct: Double?
    /// `claude until 2026-11-25T13:40:25Z (rate_limit_account)` while throttled.
    public var throttle: String?
    /// `agent_runner_version`; for the original, which reports no version in peek, what its
    /// `agent-runner --version` said (the poller asks once per connection), else `0.3.x (schema 2.6)`.
    public var version: String?
    /// `ours` or `original` (the Python 0.3.x); nil when the document says neither.
    public var runner: String?
    /// The host's clock when it made the document (`generated_at`), when reported.
    public var generatedAt: UTCInstant?
    /// Host clock minus poller clock, seconds (positive: the host is ahead).
    public var clockSkewS: Double?

    public init(
        service: String = "unknown", serviceMode: String? = nil, round: Int? = nil, phase: String? = nil,
        lastExit: Int? = nil,
        diskUsedPct: Double? = nil, throttle: String? = nil, version: String? = nil, generatedAt: UTCInstant? = nil,
        clockSkewS: Double? = nil
    ) {
        self.service = service
        self.serviceMode = serviceMode
        self.round = round
        self.phase = phase
        self.lastExit = lastExit
        self.diskUsedPct = diskUsedPct
        self.throttle = throttle
        self.version = version
        self.generatedAt = generatedAt
        self.clockSkewS = clockSkewS
    }

    /// Facts from a peek document received at `polledAt` (poller clock).
    public init(peek document: JSONValue, polledAt: UTCInstant) {
        self.init()
        let serviceBlock = document["service"]?.objectValue
        if let active = serviceBlock?["active"]?.boolValue {
            service = active ? "running" : "stopped"
        }
        serviceMode = Self.text(serviceBlock?["mode"])
        let status = document["status"]?.objectValue
        let lastRound = document["recent_rounds"]?.arrayValue?.last?.objectValue
        let current = document["current_round"]?.objectValue
        let rounds = [status?["round_num"], lastRound?["round_num"], current?["round_num"]].compactMap { $0?.intValue }
            .filter { $0 >= 0 && $0 < 1 << 40 }
        round = rounds.max().map { Int($0) }
        phase = Self.text(lastRound?["phase"]) ?? Self.text(status?["current_phase"])
        if let code = lastRound?["exit_code"]?.intValue ?? status?["last_exit_code"]?.intValue, abs(code) < 1 << 31 {
            lastExit = Int(code)
        }
        if let disk = document["system"]?["disk_used_pct"]?.doubleValue, disk.isFinite, (0...100).contains(disk) {
            // 0.3.14 reports 0.0 before any metrics exist: no sample, not an empty disk.
            let legacyEmpty = disk == 0 && document["system"]?["ts"] == nil
            diskUsedPct = legacyEmpty ? nil : disk
        }
        if let limit = serviceBlock?["rate_limit"]?.objectValue, let until = limit["throttled_until_epoch"]?.intValue,
            until >= 0, until < Int64(Int32.max) * 4
        {
            let agent = Self.text(limit["agent"]) ?? "agent"
            let kind = Self.text(limit["limit_type"]).map { " (\($0))" } ?? ""
            throttle = "\(agent) until \(EventTimestamp.format(UTCInstant(seconds: until)))\(kind)"
        }
        if let ours = Self.text(document["agent_runner_version"]) {
            version = ours
            runner = "ours"
        } else if let schema = Self.text(document["schema_version"]) {
            version = "0.3.x (schema \(schema))"
            runner = schema.hasPrefix("2.") ? "original" : nil
        }
        if let generated = document["generated_at"]?.stringValue.flatMap(EventTimestamp.parse) {
            generatedAt = generated
            clockSkewS = Seconds.epoch(generated) - Seconds.epoch(polledAt)
        }
    }

    /// A short printable string from a JSON string value (control characters dropped, 80 chars).
    static func text(_ value: JSONValue?) -> String? {
        guard let string = value?.stringValue, !string.isEmpty else { return nil }
        let clean = String(
            String.UnicodeScalarView(string.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
        guard clean.unicodeScalars.count > 80 || clean.utf8.count > 320 else { return clean }
        return UTF8Clip.prefix(clean, maxScalars: 79, maxBytes: 316) + "…"
    }
}
