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

    /// The largest file ``load()`` reads, and therefore the largest ``save(_:)`` writes.
    public let maxFileBytes: Int
    /// The production limit: fleetctl reads at most 16 MiB of its own state.
    public static let defaultMaxFileBytes = 16 << 20

    public init(path: String, fileSystem: any FileSystem = LocalFileSystem(), maxFileBytes: Int = defaultMaxFileBytes) {
        self.path = path
        self.fileSystem = fileSystem
        self.maxFileBytes = maxFileBytes
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
            bytes = try fileSystem.readOwnFile(path, limit: maxFileBytes)
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

    /// Writes `snapshot` atomically, never larger than ``maxFileBytes``: a state file fleetctl
    /// wrote must always be one it can read back (two hosts with hostile 4 MiB peeks once grew
    /// it to 33 MB, and the next `watch` refused to start). Alerts are bounded where they are
    /// made (``Alert``); if the whole still does not fit, the largest hosts' state is left out,
    /// largest first, and their names are returned so the caller can say so (their firing
    /// alerts will be notified again after a restart).
    @discardableResult
    public func save(_ snapshot: Snapshot) throws -> [String] {
        var hosts = snapshot.hosts
        var dropped: [String] = []
        var bytes = encode(hosts, autoStops: snapshot.autoStops)
        if bytes.count > maxFileBytes {
            let writer = JSONWriter(style: .compact)
            let sizes = hosts.mapValues { writer.encode($0).count }
            var estimate = bytes.count
            for name in sizes.keys.sorted(by: { (sizes[$0] ?? 0, $1) > (sizes[$1] ?? 0, $0) }) {
                guard estimate > maxFileBytes else { break }
                hosts[name] = nil
                dropped.append(name)
                estimate -= (sizes[name] ?? 0) + name.utf8.count + 4
            }
            bytes = encode(hosts, autoStops: snapshot.autoStops)
        }
        try fileSystem.writeAtomically(bytes, to: path, mode: 0o600)
        return dropped
    }

    private func encode(_ hosts: [String: JSONValue], autoStops: [Double]) -> [UInt8] {
        var object = JSONObject()
        for name in hosts.keys.sorted() { object[name] = hosts[name] }
        let document: JSONValue = [
            "version": .int(Self.formatVersion),
            "hosts": .object(object),
            "auto_stops": .array(autoStops.map { .double($0) }),
        ]
        return JSONWriter(style: .compact).encode(document) + [UInt8(ascii: "\n")]
    }
}

/// The watch state file or silences file cannot be used.
public struct WatchStateError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
