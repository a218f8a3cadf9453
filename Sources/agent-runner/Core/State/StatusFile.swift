import FleetCore

/// `log_dir/status.json`: the last round's outcome, written atomically after each round and read
/// by peek, the http page and the next round's context block.
public struct RoundStatus: Sendable, Equatable {
    public var roundNum: Int
    public var running: Bool
    public var lastCompletedAt: String?
    public var lastExitCode: Int?
    public var lastDurationS: Double?
    public var currentPhase: String?
    public var phaseIndex: Int?

    public init(
        roundNum: Int, running: Bool, lastCompletedAt: String? = nil, lastExitCode: Int? = nil,
        lastDurationS: Double? = nil, currentPhase: String? = nil, phaseIndex: Int? = nil
    ) {
        self.roundNum = roundNum
        self.running = running
        self.lastCompletedAt = lastCompletedAt
        self.lastExitCode = lastExitCode
        self.lastDurationS = lastDurationS
        self.currentPhase = currentPhase
        self.phaseIndex = phaseIndex
    }

    /// The original's key order; nil values are left out.
    public var json: JSONValue {
        var object = JSONObject()
        object["round_num"] = .int(Int64(roundNum))
        object["running"] = .bool(running)
        if let lastCompletedAt { object["last_completed_at"] = .string(lastCompletedAt) }
        if let lastExitCode { object["last_exit_code"] = .int(Int64(lastExitCode)) }
        if let lastDurationS { object["last_duration_s"] = .double(lastDurationS) }
        if let currentPhase { object["current_phase"] = .string(currentPhase) }
        if let phaseIndex { object["phase_index"] = .int(Int64(phaseIndex)) }
        return .object(object)
    }

    public init?(json: JSONValue) {
        guard let object = json.objectValue, let round = object["round_num"]?.intValue, round >= 0,
            round < Int64(Int32.max)
        else { return nil }
        self.init(
            roundNum: Int(round), running: object["running"]?.boolValue ?? false,
            lastCompletedAt: object["last_completed_at"]?.stringValue,
            lastExitCode: object["last_exit_code"]?.intValue.flatMap { Int(exactly: $0) },
            lastDurationS: object["last_duration_s"]?.doubleValue,
            currentPhase: object["current_phase"]?.stringValue,
            phaseIndex: object["phase_index"]?.intValue.flatMap { Int(exactly: $0) })
    }
}

/// Reads and writes status.json in a log dir.
public struct StatusFile: Sendable {
    public let path: String
    let fileSystem: any FileSystem

    public init(logDir: String, fileSystem: any FileSystem) {
        path = logDir + "/status.json"
        self.fileSystem = fileSystem
    }

    /// The status, `.missing`, or `.unreadable` when the file exists but does not parse (a
    /// torn write from an older tool, or a disk error): the caller records `status_recovered`.
    public enum ReadResult: Sendable, Equatable {
        case missing
        case unreadable
        case status(RoundStatus)
    }

    public func read() -> ReadResult {
        guard let bytes = try? fileSystem.readFile(path, limit: 1 << 20) else {
            return fileSystem.resolveSymlinks(path) == nil ? .missing : .unreadable
        }
        guard let json = try? JSONParser.lenient.parse(bytes), let status = RoundStatus(json: json) else {
            return .unreadable
        }
        return .status(status)
    }

    public func write(_ status: RoundStatus) throws {
        let text = JSONWriter(style: .pretty(indent: 2)).string(status.json) + "\n"
        try fileSystem.writeAtomically(Array(text.utf8), to: path, mode: 0o600)
    }
}
