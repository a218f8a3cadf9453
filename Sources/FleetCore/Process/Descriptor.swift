import Glibc

/// Descriptor helpers that keep every descriptor the parent creates close-on-exec and above 2.
enum Descriptor {
    /// A pipe whose ends are `O_CLOEXEC` from birth (`pipe2`). Without it, a child spawned at
    /// the same moment by another thread (fleetctl starts dozens of `ssh` at once) inherits
    /// our pipe end, holds it open, and our reader never sees EOF.
    static func makePipe() throws(Errno) -> (read: Int32, write: Int32) {
        guard let pipe2 = GNULibc.pipe2 else { throw Errno(code: ENOSYS) }
        var ends: [Int32] = [-1, -1]
        guard pipe2(&ends, O_CLOEXEC) == 0 else { throw .current }
        let readEnd: Int32
        do {
            readEnd = try aboveStandardStreams(ends[0])
        } catch {
            close(ends[1])
            throw error
        }
        do {
            return (readEnd, try aboveStandardStreams(ends[1]))
        } catch {
            close(readEnd)
            throw error
        }
    }

    /// `open(2)` with `O_CLOEXEC` always added.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(Errno) -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .current }
        return try aboveStandardStreams(fd)
    }

    /// When the supervisor runs with 0/1/2 closed (started by a daemon manager or `nohup`),
    /// a new descriptor can land on 0-2, and the child's `dup2` onto the standard slots
    /// would then overwrite one redirection with another. Such descriptors are moved to >= 3.
    private static func aboveStandardStreams(_ fd: Int32) throws(Errno) -> Int32 {
        guard fd < 3 else { return fd }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, 3)
        let failure = Errno.current
        close(fd)
        guard moved >= 0 else { throw failure }
        return moved
    }

    /// Closes without retrying on EINTR: Linux releases the descriptor even then, and a
    /// retry could close a descriptor another thread just received.
    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Whole small file (a /proc entry), or nil if it cannot be read (e.g. the process is gone).
    static func readFile(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
        guard let fd = try? open(path, O_RDONLY) else { return nil }
        defer { close(fd) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while contents.count < limit {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                contents.append(contentsOf: chunk[0..<count])
            } else if count == 0 {
                break
            } else if errno != EINTR {
                return nil
            }
        }
        return contents
    }
}
