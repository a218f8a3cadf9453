#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Why a file could not be read.
public struct FileReadError: Error, Sendable, Equatable {
    public var path: String
    public var errno: Int32

    public init(path: String, errno: Int32) {
        self.path = path
        self.errno = errno
    }

    /// The file does not exist (as opposed to being unreadable).
    public var isMissing: Bool { errno == ENOENT || errno == ENOTDIR }

    /// The C library's text for the error (`Permission denied`); for a symbolic link where one
    /// is refused (``FileSystem/readOwnFile(_:limit:)``), what it is and what to do.
    public var reason: String {
        errno == ELOOP
            ? "it is a symbolic link, which is never followed for a file the program writes itself; remove it"
            : SystemError.text(errno)
    }
}

/// The file operations config loading and the loops (round, restart loop, upgrader) need,
/// behind a protocol so tests can supply files without touching disk, and fail loudly when a
/// test touches something it did not set up.
public protocol FileSystem: Sendable {
    /// The whole content of the file at the absolute `path`, refusing files over `limit` bytes.
    func readFile(_ path: String, limit: Int) throws(FileReadError) -> [UInt8]
    /// Like ``readFile(_:limit:)``, for a file the program wrote itself in a directory of its own
    /// (saved watch state): a symbolic link there is refused (ELOOP), never followed, so
    /// nobody can substitute another file's contents for ours.
    func readOwnFile(_ path: String, limit: Int) throws(FileReadError) -> [UInt8]
    /// Whether `path` is a directory only the running user can change, as a state or log
    /// directory must be (``PrivateDirectory``); nil when it is, else why not and the fix.
    func privateDirectoryProblem(_ path: String) -> PrivateDirectory.Problem?
    /// `realpath(3)` of an existing path; nil when it does not exist.
    func resolveSymlinks(_ path: String) -> String?
    /// Whether `path` exists (following symlinks).
    func exists(_ path: String) -> Bool
    /// Removes the file at `path`; a missing file is not an error.
    func removeFile(_ path: String)
    /// `mkdir -p`; the errno of the first failure, or nil.
    @discardableResult
    func createDirectory(_ path: String) -> Int32?
    /// `mkdir -p` with mode 0700, and an existing directory of ours tightened to 0700: for the
    /// log dir, whose transcripts are not redacted. The errno of the first failure, or nil.
    @discardableResult
    func createPrivateDirectory(_ path: String) -> Int32?
    /// Replaces the file at `path` whole: temp file, fsync, rename (see ``AtomicFile``).
    func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t) throws
    /// Appends `bytes` in one write, creating the file (0600) when missing; a symbolic link at
    /// `path` is refused, never followed (the files appended to live in the log directory).
    func append(_ bytes: [UInt8], to path: String) throws
    /// At most the last `count` bytes of the file; empty when it cannot be read.
    func tail(of path: String, bytes count: Int) -> [UInt8]
    /// The names in a directory, without `.` and `..`, in no particular order; empty when it
    /// cannot be read (missing, not a directory, not permitted).
    func directoryNames(_ path: String) -> [String]
}

extension FileSystem {
    /// A file system without modes (a test's in-memory one) creates private directories as any other.
    @discardableResult
    public func createPrivateDirectory(_ path: String) -> Int32? {
        createDirectory(path)
    }

    /// Fakes hold no links: reading one's own file is reading a file.
    public func readOwnFile(_ path: String, limit: Int) throws(FileReadError) -> [UInt8] {
        try readFile(path, limit: limit)
    }

    /// Fakes hold no owners or modes: every directory is private.
    public func privateDirectoryProblem(_ path: String) -> PrivateDirectory.Problem? {
        nil
    }

    /// Reads a configuration-sized file (at most 16 MiB: anything larger is not a config).
    public func readFile(_ path: String) throws(FileReadError) -> [UInt8] {
        try readFile(path, limit: 16 << 20)
    }
}

/// The machine's real file system.
public struct LocalFileSystem: FileSystem {
    public init() {}

    public func readFile(_ path: String, limit: Int) throws(FileReadError) -> [UInt8] {
        try readWhole(path, limit: limit, flags: O_RDONLY | O_CLOEXEC)
    }

    public func readOwnFile(_ path: String, limit: Int) throws(FileReadError) -> [UInt8] {
        try readWhole(path, limit: limit, flags: O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    }

    public func privateDirectoryProblem(_ path: String) -> PrivateDirectory.Problem? {
        PrivateDirectory.problem(path)
    }

    private func readWhole(_ path: String, limit: Int, flags: Int32) throws(FileReadError) -> [UInt8] {
        let fd = open(path, flags)
        guard fd >= 0 else { throw FileReadError(path: path, errno: errno) }
        defer { close(fd) }
        var status = stat()
        if fstat(fd, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            throw FileReadError(path: path, errno: EISDIR)
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: path, errno: errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit { throw FileReadError(path: path, errno: EFBIG) }
        }
        return bytes
    }

    public func resolveSymlinks(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    public func exists(_ path: String) -> Bool {
        Directories.exists(path)
    }

    public func removeFile(_ path: String) {
        unlink(path)
    }

    @discardableResult
    public func createDirectory(_ path: String) -> Int32? {
        Directories.create(path)
    }

    @discardableResult
    public func createPrivateDirectory(_ path: String) -> Int32? {
        Directories.createPrivate(path)
    }

    public func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        try AtomicFile.write(bytes, to: path, mode: mode)
    }

    public func append(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw FileError("open", path: path, failure: SystemIO.Failure(code: errno)) }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError("append to", path: path, failure: SystemIO.Failure(code: errno))
            }
            written += count
        }
    }

    public func tail(of path: String, bytes count: Int) -> [UInt8] {
        Directories.tail(of: path, bytes: count)
    }

    public func directoryNames(_ path: String) -> [String] {
        (try? SystemIO.listDirectory(path)) ?? []
    }
}

/// Text for errno values.
public enum SystemError {
    public static func text(_ code: Int32) -> String {
        guard let message = strerror(code) else { return "errno \(code)" }
        return String(cString: message)
    }
}
