import Glibc
import Synchronization

/// A single-instance lock: an exclusive `flock(2)` on a lock file, held for the object's lifetime.
///
/// The kernel drops the lock when the holder exits, however it exits, so a crash never leaves a
/// stale lock. After acquiring, the holder's pid is written into the file so that a second
/// instance can say who holds it. The descriptor is `O_CLOEXEC`: agents and hooks spawned by
/// the holder do not inherit it, so they cannot keep the lock alive after the holder dies.
/// `flock` locks belong to the open file description, so a second `acquire` of the same path
/// in the same process also fails while the first is held.
public final class FileLock: Sendable {
    /// The lock file.
    public let path: String
    /// The locked descriptor, or -1 once released.
    private let descriptor: Mutex<Int32>

    /// The lock is held by someone else.
    public struct HeldError: Error, Sendable, CustomStringConvertible {
        /// The lock file.
        public let path: String
        /// The pid recorded by the holder, when the file holds one.
        public let holderPID: Int32?

        public var description: String {
            let holder = holderPID.map { "process \($0)" } ?? "another process (its pid is not recorded yet)"
            return "\(path) is locked by \(holder): another instance is already running; stop it or wait for it to exit"
        }
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.descriptor = Mutex(fd)
    }

    deinit {
        release()
    }

    /// Takes the lock on `path`, creating the file (mode 0644) if needed. A symbolic link at
    /// `path` is refused (`O_NOFOLLOW`), never followed: the pid write truncates the file, and
    /// a link planted there would truncate its target.
    /// - Parameter nonBlocking: fail at once when the lock is held (the default), instead of waiting.
    /// - Throws: `FileLock.HeldError` when another holder has it; `FileError` when the file cannot
    ///   be opened or locked.
    public static func acquire(_ path: String, nonBlocking: Bool = true) throws -> FileLock {
        // Someone may delete or replace the lock file between our open and flock; the lock would
        // then protect an orphaned inode. Retry until the locked file is the one at `path`.
        for _ in 0..<8 {
            let fd: Int32
            do {
                fd = try SystemIO.open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode: 0o644)
            } catch {
                throw FileError("open the lock file", path: path, failure: error)
            }
            while flock(fd, LOCK_EX | (nonBlocking ? LOCK_NB : 0)) != 0 {
                let code = errno
                if code == EINTR { continue }
                let holder = code == EWOULDBLOCK ? recordedPID(fd) : nil
                SystemIO.closeQuietly(fd)
                if code == EWOULDBLOCK { throw HeldError(path: path, holderPID: holder) }
                throw FileError("lock", path: path, failure: SystemIO.Failure(code: code))
            }
            do {
                guard try SystemIO.identity(of: fd).isSameFile(as: SystemIO.identity(ofPath: path)) else {
                    SystemIO.closeQuietly(fd)
                    continue
                }
            } catch  where error.code == ENOENT {
                SystemIO.closeQuietly(fd)
                continue
            } catch {
                SystemIO.closeQuietly(fd)
                throw FileError("inspect the lock file", path: path, failure: error)
            }
            // The pid is only a courtesy for the "held by pid N" message: on a full disk the lock
            // still holds without it, and refusing to start would turn a full disk into an outage.
            let pid = Array("\(getpid())\n".utf8)
            if ftruncate(fd, 0) == 0 {
                _ = pwrite(fd, pid, pid.count, 0)
            }
            return FileLock(path: path, fd: fd)
        }
        throw FileError(
            path: path,
            message: "cannot lock \(path): the file keeps being deleted or replaced while locking; find what removes it"
        )
    }

    /// Releases the lock (idempotent). The pid is cleared first; the file itself stays, since
    /// deleting a lock file races with the next holder.
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            _ = ftruncate(fd, 0)
            SystemIO.closeQuietly(fd)
            fd = -1
        }
    }

    private static func recordedPID(_ fd: Int32) -> Int32? {
        guard let bytes = try? SystemIO.pread(fd, count: 32, at: 0) else { return nil }
        let text = SystemIO.trimmedText(bytes)
        guard let pid = Int32(text), pid > 0 else { return nil }
        return pid
    }
}
