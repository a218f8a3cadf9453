import FleetCore

/// fleetctl's persisted watch state in the state directory: per-host alert episodes and
/// tolerance windows, and the auto-stop budget, written atomically (temp file, fsync, rename)
/// after every batch of polls so a killed fleetctl restarts where it was, without notifying
/// or stopping anything twice.
public struct WatchStateStore: Sendable {
    public static let formatVersion: Int64 = 1
    public let path: String
    /// Where the file lives: the machine's, or a test's in-memory one.
    public let fileSystem: any FileSystem

    public init(path: String, fileSystem: any FileSystem = LocalFileSystem()) {
        self.path = path
        self.fileSystem = fileSystem
    }

    /// The saved document: host name → monitor state, and the auto-stop budget's recent stops.
    public struct Snapshot: Sendable {
        public var hosts: [String: JSONValue] = [:]
        public var autoStops: [Double] = []
        public init() {}
    }

    /// The saved state; an empty snapshot when there is none. A file that cannot be parsed
    /// throws with the path, so the operator can move it aside instead of losing it silently.
    public func load() throws -> Snapshot {
        var snapshot = Snapshot()
        guard fileSystem.exists(path) else { return snapshot }
        let bytes: [UInt8]
        do {
            bytes = try fileSystem.readOwnFile(path, limit: 16 << 20)
        } catch {
            throw WatchStateError("cannot read \(path): \(error.reason); check its permissions")
        }
        let document: JSONValue
        do {
            document = try JSONParser.strict.parse(bytes)
        } catch {
            throw WatchStateError("\(path) is not valid JSON (\(error)); move it aside to start with fresh alert state")
        }
        guard document["version"]?.intValue == Self.formatVersion else {
            throw WatchStateError(
                "\(path) has an unsupported format version; move it aside to start with fresh alert state")
        }
        for (name, value) in document["hosts"]?.objectValue ?? [:] { snapshot.hosts[name] = value }
        snapshot.autoStops = (document["auto_stops"]?.arrayValue ?? []).compactMap(\.doubleValue)
        return snapshot
    }

    public func save(_ snapshot: Snapshot) throws {
        var hosts = JSONObject()
        for name in snapshot.hosts.keys.sorted() { hosts[name] = snapshot.hosts[name] }
        let document: JSONValue = [
            "version": .int(Self.formatVersion),
            "hosts": .object(hosts),
            "auto_stops": .array(snapshot.autoStops.map { .double($0) }),
        ]
        let bytes = JSONWriter(style: .compact).encode(document) + [UInt8(ascii: "\n")]
        try fileSystem.writeAtomically(bytes, to: path, mode: 0o600)
    }
}

/// The watch state file or silences file cannot be used.
public struct WatchStateError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
