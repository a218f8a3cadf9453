import Glibc

/// Thin wrappers over the system calls the persistence layer uses: they retry on `EINTR`,
/// finish partial transfers, and report failures as an errno value instead of a global.
enum SystemIO {
    /// A failed system call's errno.
    struct Failure: Error {
        let code: Int32
    }

    /// The identity and size of an open file, from `fstat`/`stat`.
    struct FileIdentity: Equatable {
        let device: UInt64
        let inode: UInt64
        let size: Int64

        /// Whether both describe the same file (size may differ).
        func isSameFile(as other: FileIdentity) -> Bool {
            device == other.device && inode == other.inode
        }
    }

    /// The system's text for `code` plus its symbolic name, e.g. "No space left on device (ENOSPC)".
    static func errorText(_ code: Int32) -> String {
        let text = strerror(code).map { String(cString: $0) } ?? "error"
        return "\(text) (\(symbolicName(code)))"
    }

    /// What an operator should do about `code`, when there is something specific to say.
    static func advice(_ code: Int32) -> String? {
        switch code {
        case ENOSPC: return "the disk is full: free space on that filesystem"
        case EDQUOT: return "the disk quota is exhausted: free space or raise the quota"
        case EACCES, EPERM:
            return "permission denied: check the owner and mode of the file and its directory, or run as the right user"
        case EROFS: return "the filesystem is read-only: remount it read-write or configure a writable path"
        case ENOENT: return "the directory does not exist (was it removed?): create it or fix the configured path"
        case ENOTDIR: return "a component of the path is not a directory: fix the configured path"
        case EMFILE, ENFILE: return "too many open files: raise the limit (ulimit -n) or find the descriptor leak"
        case EIO: return "input/output error: check the disk and the kernel log (dmesg)"
        case ELOOP:
            return "it is a symbolic link where the program keeps a file of its own, and such links are never "
                + "followed (someone may have planted it): remove it"
        default: return nil
        }
    }

    /// `errorText` followed by `advice` when there is any.
    static func describe(_ code: Int32) -> String {
        guard let advice = advice(code) else { return errorText(code) }
        return "\(errorText(code)); \(advice)"
    }

    private static func symbolicName(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "ENOENT"
        case EACCES: return "EACCES"
        case EPERM: return "EPERM"
        case ENOSPC: return "ENOSPC"
        case EDQUOT: return "EDQUOT"
        case EROFS: return "EROFS"
        case ENOTDIR: return "ENOTDIR"
        case EISDIR: return "EISDIR"
        case EEXIST: return "EEXIST"
        case EMFILE: return "EMFILE"
        case ENFILE: return "ENFILE"
        case EIO: return "EIO"
        case EAGAIN: return "EAGAIN"
        case EINVAL: return "EINVAL"
        case EFBIG: return "EFBIG"
        case EOVERFLOW: return "EOVERFLOW"
        case ELOOP: return "ELOOP"
        default: return "errno \(code)"
        }
    }

    // MARK: Calls

    /// `open(2)`, retried on `EINTR`.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(Failure) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw Failure(code: errno) }
        }
    }

    /// Closes a descriptor, ignoring errors (used on paths that are already failing or done).
    static func closeQuietly(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Writes every byte with as few `write(2)` calls as the kernel allows: one, unless the kernel
    /// reports a partial write (disk full, signal, file size limit), in which case the rest follows.
    /// Returns the number of bytes written before a failure together with the failure.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> (written: Int, failure: Failure?) {
        bytes.withUnsafeBytes { buffer -> (Int, Failure?) in
            var written = 0
            while written < buffer.count {
                guard let base = buffer.baseAddress else { break }
                let result = Glibc.write(fd, base + written, buffer.count - written)
                if result > 0 {
                    written += result
                } else if result == 0 {
                    return (written, Failure(code: EIO))
                } else if errno != EINTR {
                    return (written, Failure(code: errno))
                }
            }
            return (written, nil)
        }
    }

    /// Reads up to `count` bytes at `offset`; fewer only when the file ends first.
    static func pread(_ fd: Int32, count: Int, at offset: Int64) throws(Failure) -> [UInt8] {
        var failure: Failure?
        let bytes = [UInt8](unsafeUninitializedCapacity: max(count, 0)) { buffer, initialized in
            initialized = 0
            while initialized < buffer.count {
                guard let base = buffer.baseAddress else { break }
                guard let position = off_t(exactly: offset + Int64(initialized)) else {
                    failure = Failure(code: EOVERFLOW)
                    break
                }
                let result = Glibc.pread(fd, base + initialized, buffer.count - initialized, position)
                if result > 0 {
                    initialized += result
                } else if result == 0 {
                    break
                } else if errno != EINTR {
                    failure = Failure(code: errno)
                    break
                }
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Reads a whole small file, refusing files larger than `limit` bytes (`EFBIG`).
    static func readFile(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let fd = try open(path, O_RDONLY | O_CLOEXEC)
        defer { closeQuietly(fd) }
        let bytes = try pread(fd, count: limit + 1, at: 0)
        guard bytes.count <= limit else { throw Failure(code: EFBIG) }
        return bytes
    }

    /// `fstat(2)` of an open descriptor.
    static func identity(of fd: Int32) throws(Failure) -> FileIdentity {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(code: errno) }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size))
    }

    /// `stat(2)` of a path.
    static func identity(ofPath path: String) throws(Failure) -> FileIdentity {
        var info = stat()
        guard stat(path, &info) == 0 else { throw Failure(code: errno) }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size))
    }

    /// `fsync(2)`, retried on `EINTR`.
    static func fsync(_ fd: Int32) throws(Failure) {
        while Glibc.fsync(fd) != 0 {
            if errno != EINTR { throw Failure(code: errno) }
        }
    }

    /// The directory part of `path` ("." for a bare name, "/" for a top-level entry).
    static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The last component of `path`.
    static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// `directory` joined with `name` without doubling the slash.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// `bytes` as text without leading and trailing ASCII whitespace (invalid UTF-8 becomes U+FFFD).
    static func trimmedText(_ bytes: [UInt8]) -> String {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
            let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// The names in a directory (without "." and ".."), in no particular order.
    static func listDirectory(_ path: String) throws(Failure) -> [String] {
        guard let handle = opendir(path) else { throw Failure(code: errno) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
