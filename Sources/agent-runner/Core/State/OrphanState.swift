import FleetCore

/// `log_dir/orphan-state.json`: the stash that holds work a round left uncommitted, so the next
/// round's context and peek can point at it by SHA (never `stash@{N}`, which shifts).
public struct OrphanState: Sendable, Equatable {
    public var roundNum: Int
    public var files: [String]
    public var stashedRef: String
    public var stashMessage: String
    public var timestamp: String
    public var phase: String?

    public var json: JSONValue {
        .object(
            JSONObject([
                ("round_num", .int(Int64(roundNum))), ("files", .array(files.map { .string($0) })),
                ("stashed_ref", .string(stashedRef)), ("stash_message", .string(stashMessage)),
                ("timestamp", .string(timestamp)), ("phase", phase.map { .string($0) } ?? .null),
            ]))
    }

    public init(
        roundNum: Int, files: [String], stashedRef: String, stashMessage: String, timestamp: String,
        phase: String?
    ) {
        self.roundNum = roundNum
        self.files = files
        self.stashedRef = stashedRef
        self.stashMessage = stashMessage
        self.timestamp = timestamp
        self.phase = phase
    }

    public init?(json: JSONValue) {
        guard let object = json.objectValue, let ref = object["stashed_ref"]?.stringValue,
            let round = object["round_num"]?.intValue.flatMap({ Int(exactly: $0) })
        else { return nil }
        self.init(
            roundNum: round, files: object["files"]?.arrayValue?.compactMap(\.stringValue) ?? [], stashedRef: ref,
            stashMessage: object["stash_message"]?.stringValue ?? "", timestamp: object["timestamp"]?.stringValue ?? "",
            phase: object["phase"]?.stringValue)
    }

    public static func path(logDir: String) -> String { logDir + "/orphan-state.json" }

    /// Writes the state (0600, atomically) for the next round and peek.
    public func write(logDir: String, fileSystem: any FileSystem) throws {
        let text = JSONWriter(style: .pretty(indent: 2)).string(json) + "\n"
        try fileSystem.writeAtomically(Array(text.utf8), to: Self.path(logDir: logDir), mode: 0o600)
    }

    public static func read(logDir: String, fileSystem: any FileSystem) -> OrphanState? {
        guard let bytes = try? fileSystem.readFile(path(logDir: logDir), limit: 1 << 20),
            let json = try? JSONParser.lenient.parse(bytes)
        else { return nil }
        return OrphanState(json: json)
    }
}
