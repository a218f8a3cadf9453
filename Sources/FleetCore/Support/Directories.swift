#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Small file-system helpers built on the C library (no Foundation).
public enum Directories {
    /// `mkdir -p`; returns the errno of the first failure, or nil on success.
    @discardableResult
    public static func create(_ path: String, mode: mode_t = 0o755) -> Int32? {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST {
                return errno
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { return errno }
        return (info.st_mode & S_IFMT) == S_IFDIR ? nil : ENOTDIR
    }

    /// `mkdir -p` with mode 0700 for what it creates, then the directory itself, when it already
    /// existed, is ours and is readable by group or others, tightened to 0700 (`chmod go-rwx`):
    /// the log dir holds unredacted transcripts, and was once created 0755 with 0644 files.
    /// One that group or others can write in is left as it is: someone may have planted files or
    /// links there already, so ``PrivateDirectory`` refuses it with the reason instead of this
    /// hiding it.
    @discardableResult
    public static func createPrivate(_ path: String) -> Int32? {
        if let error = create(path, mode: 0o700) { return error }
        var info = stat()
        guard stat(path, &info) == 0 else { return errno }
        let readable = info.st_mode & 0o077 != 0
        let writable = info.st_mode & 0o022 != 0
        if info.st_uid == geteuid() && readable && !writable && chmod(path, info.st_mode & 0o700) != 0 {
            return errno
        }
        return nil
    }

    /// Whether `path` exists (following symlinks).
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Whether `path` is a regular file the caller may execute.
    public static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }

    /// The size of a file, or nil.
    public static func size(of path: String) -> Int64? {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : nil
    }

    /// Finds `name` on a `PATH`-style list; a name with a slash is resolved against `base`.
    public static func resolveExecutable(_ name: String, path: String, base: String) -> String? {
        if name.contains("/") {
            let absolute = name.hasPrefix("/") ? name : base + "/" + name
            return isExecutableFile(absolute) ? absolute : nil
        }
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    /// Reads at most the last `count` bytes of a file.
    public static func tail(of path: String, bytes count: Int) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return [] }
        let start = max(0, Int(size) - count)
        var buffer = [UInt8](repeating: 0, count: Int(size) - start)
        let read = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(start)) }
        return read > 0 ? Array(buffer[0..<read]) : []
    }

    /// Reads bytes `[offset, offset+limit)` of a file (for scanning a growing log incrementally).
    public static func read(_ path: String, from offset: Int64, limit: Int) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: limit)
        let read = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
        return read > 0 ? Array(buffer[0..<read]) : []
    }
}
