import FleetCore
import Glibc

/// The real file system without `fsync`: a test has no power to lose, and on a shared disk the
/// syncs of status.json and round-context.json are most of a round's time.
struct UnsyncedDisk: FileSystem {
    private let base = LocalFileSystem()

    /// Writes a temporary file and renames it over `path` (atomic for readers, not durable).
    func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let temporary = path + ".unsynced-tmp"
        base.removeFile(temporary)
        try base.append(bytes, to: temporary)
        chmod(temporary, mode)
        guard rename(temporary, path) == 0 else {
            throw FileError(path: path, errorNumber: errno, message: "cannot rename \(temporary) to \(path)")
        }
    }

    func readFile(_ path: String, limit: Int) throws(FileReadError) -> [UInt8] { try base.readFile(path, limit: limit) }
    func resolveSymlinks(_ path: String) -> String? { base.resolveSymlinks(path) }
    func exists(_ path: String) -> Bool { base.exists(path) }
    func removeFile(_ path: String) { base.removeFile(path) }
    func createDirectory(_ path: String) -> Int32? { base.createDirectory(path) }
    func append(_ bytes: [UInt8], to path: String) throws { try base.append(bytes, to: path) }
    func tail(of path: String, bytes count: Int) -> [UInt8] { base.tail(of: path, bytes: count) }
    func directoryNames(_ path: String) -> [String] { base.directoryNames(path) }
}
