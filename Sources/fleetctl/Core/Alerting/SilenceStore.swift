import FleetCore
import Monitoring

#if canImport(Glibc)
    import Glibc
#endif

/// `silences.json` in the state directory. `fleetctl silence` and `unsilence` change it under
/// a lock while `watch` may be running; `watch` re-reads it before notifying.
public struct SilenceStore: Sendable {
    public let path: String

    public init(directory: String) {
        path = StateDirectory.file("silences.json", in: directory)
    }

    public func load() throws -> SilenceList {
        guard Directories.exists(path) else { return SilenceList() }
        let bytes: [UInt8]
        do {
            // Not through a link: a planted silences.json would mute alerts.
            bytes = try LocalFileSystem().readOwnFile(path, limit: 16 << 20)
        } catch {
            let fix = error.errno == ELOOP ? "" : "; fix or remove the file"
            throw WatchStateError("cannot read the silences in \(path): \(error.reason)\(fix)")
        }
        do {
            return SilenceList(json: try JSONParser.strict.parse(bytes))
        } catch {
            throw WatchStateError("cannot read the silences in \(path) (\(error)); fix or remove the file")
        }
    }

    /// Loads, changes and saves the list while holding `silences.lock`.
    @discardableResult
    public func update<T>(_ body: (inout SilenceList) throws -> T) throws -> T {
        let lock = try FileLock.acquire(path + ".lock", nonBlocking: false)
        defer { lock.release() }
        var list = try load()
        let result = try body(&list)
        try AtomicFile.write(
            JSONWriter(style: .pretty(indent: 2)).encode(list.json()) + [UInt8(ascii: "\n")], to: path, mode: 0o600)
        return result
    }
}
