import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A build being written into a staging folder of versions_dir piece by piece, as it downloads
/// from `[upgrade] source`: the download never sits whole in memory (a Pi runs the agent
/// beside it). Nothing runs the file until it is complete and its sum verified; a refused or
/// broken download is deleted with ``discard()``, so no `.staging-*` folder outlives the run.
///
/// The file system seam has no streaming write, so this writes with write(2) and fsync(2)
/// itself, like the store's links and renames.
final class StagingFile {
    let path: String
    private let store: VersionStore
    private var fd: Int32

    init(path: String, fd: Int32, store: VersionStore) {
        self.path = path
        self.fd = fd
        self.store = store
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    func write(_ bytes: [UInt8]) throws(LifecycleError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("write")
            }
            offset += count
        }
    }

    /// Flushes the build to disk and closes it: what is renamed into versions_dir must survive
    /// a power cut as a whole file.
    func finish() throws(LifecycleError) {
        guard fsync(fd) == 0 else { throw failure("flush") }
        close(fd)
        fd = -1
    }

    /// Deletes the file and its staging folder.
    func discard() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        store.removeBuild(path)
    }

    private func failure(_ action: String) -> LifecycleError {
        LifecycleError(
            "cannot \(action) \(path): \(SystemError.text(errno)); free space in \(store.versionsDir) "
                + "([upgrade] versions_dir)")
    }
}
