import Glibc

/// Replaces a file's contents atomically: readers see the old contents or the new, never a
/// mixture or a truncated file, even across a crash or power loss.
///
/// The bytes go to a uniquely named temporary file in the same directory (`O_EXCL`, so two
/// writers never share one), which is `fsync`ed, renamed over the target, and then the
/// directory is `fsync`ed so the rename itself is durable. On failure the temporary file is
/// removed and the target is untouched. A symlink at `path` is replaced, not followed.
public enum AtomicFile {
    /// Atomically replaces (or creates) `path` with `bytes`, with permissions exactly `mode`.
    /// - Throws: `FileError` naming the path, the system error and what to do; the previous
    ///   contents are then still in place.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws {
        let directory = SystemIO.directoryName(path)
        let unchanged = "\(path) was left unchanged"
        let (fd, temporary) = try createTemporary(for: path, mode: mode)
        var descriptorOpen = true
        do throws(SystemIO.Failure) {
            defer { if descriptorOpen { SystemIO.closeQuietly(fd) } }
            // fchmod: the umask must not change the requested mode.
            guard fchmod(fd, mode) == 0 else { throw SystemIO.Failure(code: errno) }
            let (_, failure) = SystemIO.writeAll(fd, bytes)
            if let failure { throw failure }
            try SystemIO.fsync(fd)
            descriptorOpen = false
            guard Glibc.close(fd) == 0 else { throw SystemIO.Failure(code: errno) }
            guard rename(temporary, path) == 0 else { throw SystemIO.Failure(code: errno) }
        } catch {
            unlink(temporary)
            throw FileError("write", path: path, failure: error, note: unchanged)
        }
        do {
            try syncDirectory(directory)
        } catch {
            throw FileError(
                "sync the directory of", path: path, failure: error,
                note: "The new contents are in place but may not survive a power loss"
            )
        }
    }

    /// Atomically replaces (or creates) `path` with the UTF-8 of `text`.
    public static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    /// Creates `path` holding `bytes`, unless something already exists there: the bytes go to a
    /// temporary file that is `fsync`ed and then hard-linked to `path` (`link(2)` fails rather
    /// than replace), and the directory is `fsync`ed. Returns false, writing nothing, when `path`
    /// exists. For backups, which must never overwrite an older one; a file system without hard
    /// links gets an `O_EXCL` create instead (still never a replacement).
    /// - Throws: `FileError` naming the path and the system error.
    public static func createNew(_ bytes: [UInt8], at path: String, mode: mode_t = 0o644) throws -> Bool {
        let (fd, temporary) = try createTemporary(for: path, mode: mode)
        defer { unlink(temporary) }
        do throws(SystemIO.Failure) {
            var descriptorOpen = true
            defer { if descriptorOpen { SystemIO.closeQuietly(fd) } }
            guard fchmod(fd, mode) == 0 else { throw SystemIO.Failure(code: errno) }
            let (_, failure) = SystemIO.writeAll(fd, bytes)
            if let failure { throw failure }
            try SystemIO.fsync(fd)
            descriptorOpen = false
            guard Glibc.close(fd) == 0 else { throw SystemIO.Failure(code: errno) }
            if link(temporary, path) != 0 {
                let code = errno
                if code == EEXIST { return false }
                guard code == EPERM || code == EOPNOTSUPP || code == ENOSYS else { throw SystemIO.Failure(code: code) }
                guard try createExclusively(bytes, at: path, mode: mode) else { return false }
            }
        } catch {
            throw FileError("create", path: path, failure: error)
        }
        do {
            try syncDirectory(SystemIO.directoryName(path))
        } catch {
            throw FileError(
                "sync the directory of", path: path, failure: error,
                note: "The file is in place but may not survive a power loss")
        }
        return true
    }

    /// `O_CREAT | O_EXCL`, write, fsync: false when `path` exists.
    private static func createExclusively(
        _ bytes: [UInt8], at path: String, mode: mode_t
    ) throws(SystemIO.Failure) -> Bool {
        let fd: Int32
        do {
            fd = try SystemIO.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode: mode)
        } catch  where error.code == EEXIST {
            return false
        }
        defer { SystemIO.closeQuietly(fd) }
        let (_, failure) = SystemIO.writeAll(fd, bytes)
        if let failure {
            unlink(path)
            throw failure
        }
        try SystemIO.fsync(fd)
        return true
    }

    private static func createTemporary(for path: String, mode: mode_t) throws -> (fd: Int32, path: String) {
        let directory = SystemIO.directoryName(path)
        var lastFailure = SystemIO.Failure(code: EEXIST)
        for _ in 0..<8 {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let temporary = SystemIO.join(directory, ".\(SystemIO.baseName(path)).tmp-\(getpid())-\(suffix)")
            do {
                return (
                    try SystemIO.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode: mode),
                    temporary
                )
            } catch  where error.code == EEXIST {
                lastFailure = error
            } catch {
                throw FileError(
                    "create a temporary file next to", path: path, failure: error, note: "\(path) was left unchanged")
            }
        }
        throw FileError(
            "create a temporary file next to", path: path, failure: lastFailure, note: "\(path) was left unchanged")
    }

    private static func syncDirectory(_ directory: String) throws(SystemIO.Failure) {
        let fd = try SystemIO.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { SystemIO.closeQuietly(fd) }
        do {
            try SystemIO.fsync(fd)
        } catch  where error.code == EINVAL {
            // Some filesystems cannot sync directories; the rename is as durable as they allow.
        }
    }
}
