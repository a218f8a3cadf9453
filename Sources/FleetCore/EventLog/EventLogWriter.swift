import Glibc
import Synchronization

/// Appends events to the monthly files of an event-log directory.
///
/// Each event becomes one line `{"ts": "2026-11-25T13:38:29.971Z", "event": "round_end", ...}`
/// in `JSONWriter.Style.python` layout, in the file of the UTC month of its timestamp. The
/// whole line (with its newline) goes to the kernel in a single `write(2)` on a descriptor
/// opened `O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC`, so concurrent writers (other threads, other
/// processes, the original Python tool) never interleave within a line: Linux serialises
/// `O_APPEND` writes to a regular file. A line can only tear if the kernel accepts part of it
/// (disk full, file-size limit, a signal during a huge write); the writer then writes the rest
/// with further calls, and if that fails the next open starts its first line with a newline so
/// the fragment cannot swallow the following event. Readers skip such a fragment.
///
/// The descriptor of the current month's file is cached. Before every append the path is
/// `stat`ed: if the file was deleted, rotated or replaced (different inode), or the month
/// changed, it is reopened (and recreated). The log directory itself is never created here:
/// its absence is reported as an error, since it usually means a wrong `log_dir`.
///
/// Thread-safe: appends from one writer are serialised by a mutex.
public final class EventLogWriter: Sendable {
    /// The log directory.
    public let directory: String
    /// The file-name prefix: `events` for the event log, `metrics` for the host-metrics log.
    public let prefix: String
    private let clock: any WallClock
    private let openFile = Mutex<OpenFile?>(nil)

    private struct OpenFile {
        let path: String
        let fd: Int32
        let identity: SystemIO.FileIdentity
        /// The file ended without a newline when opened (a torn line): start with one.
        var needsLeadingNewline: Bool
    }

    /// A writer for `directory`, timestamping with `clock`, into `<prefix>-YYYY-MM.jsonl` files.
    public init(directory: String, clock: any WallClock = SystemClock(), prefix: String = EventLogFile.eventsPrefix) {
        self.directory = directory
        self.prefix = prefix
        self.clock = clock
    }

    deinit {
        openFile.withLock { file in
            if let file { SystemIO.closeQuietly(file.fd) }
        }
    }

    /// Appends one event and returns the line written (without its newline).
    ///
    /// - Parameters:
    ///   - kind: a registered kind (unknown kinds cannot be constructed).
    ///   - payload: the event's fields, written after `ts` and `event` in their order. The keys
    ///     `ts` and `event` are reserved; using them is a programming error reported as a throw.
    ///     Every string in it passes through ``SecretRedactor`` as a whole: the event log is the
    ///     sink behind status, peek, hooks, dashboards and the fleet event log, and a field
    ///     nobody thought of redacting (a repeated tool's target) is redacted all the same.
    ///   - instant: the event time; defaults to the writer's clock.
    /// - Throws: `EventLogError` naming the file and the system error (disk full, permission
    ///   denied, log directory missing...). Nothing is retried or crashed on.
    @discardableResult
    public func append(_ kind: EventKind, _ payload: JSONObject = [:], at instant: UTCInstant? = nil) throws -> String {
        let time = instant ?? clock.now()
        var object: JSONObject = ["ts": .string(EventTimestamp.format(time)), "event": .string(kind.rawValue)]
        for (key, value) in payload {
            guard key != "ts", key != "event" else {
                throw EventLogError(
                    path: directory,
                    message:
                        "cannot log \(kind.rawValue): payload key '\(key)' is reserved for the event envelope; rename it"
                )
            }
            object[key] = SecretRedactor.redact(value)
        }
        var line = JSONWriter(style: .python).encode(.object(object))
        let text = String(decoding: line, as: UTF8.self)
        line.append(UInt8(ascii: "\n"))
        let path = EventLogFile(directory: directory, instant: time, prefix: prefix).path
        try openFile.withLock { file throws in
            try write(line, to: path, cached: &file)
        }
        return text
    }

    /// Closes the cached descriptor; the next append reopens. Useful before handing the log
    /// directory to another owner, and in tests.
    public func close() {
        openFile.withLock { file in
            if let open = file { SystemIO.closeQuietly(open.fd) }
            file = nil
        }
    }

    private func write(_ line: [UInt8], to path: String, cached file: inout OpenFile?) throws {
        if let open = file, !isCurrent(open, path: path) {
            SystemIO.closeQuietly(open.fd)
            file = nil
        }
        if file == nil { file = try openForAppend(path) }
        guard var open = file else { return }
        let bytes = open.needsLeadingNewline ? [UInt8(ascii: "\n")] + line : line
        let (written, failure) = SystemIO.writeAll(open.fd, bytes)
        guard let failure else {
            open.needsLeadingNewline = false
            file = open
            return
        }
        // Reopen next time, so the torn-tail check runs again.
        SystemIO.closeQuietly(open.fd)
        file = nil
        let torn =
            written > 0
            ? " after writing \(written) of \(bytes.count) bytes (the partial line will be skipped by readers)" : ""
        throw EventLogError(
            path: path, errorNumber: failure.code,
            message: "cannot append to \(path)\(torn): \(SystemIO.describe(failure.code))"
        )
    }

    /// Whether the cached descriptor still refers to the file now at `path`.
    private func isCurrent(_ open: OpenFile, path: String) -> Bool {
        guard open.path == path, let now = try? SystemIO.identity(ofPath: path) else { return false }
        return now.isSameFile(as: open.identity)
    }

    private func openForAppend(_ path: String) throws -> OpenFile {
        let fd: Int32
        do {
            fd = try SystemIO.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode: 0o600)
        } catch {
            if error.code == ENOENT {
                throw EventLogError(
                    path: path, errorNumber: ENOENT,
                    message:
                        "cannot create \(path): the log directory \(directory) does not exist (was it removed?); create it or fix log_dir"
                )
            }
            throw EventLogError("open", path: path, failure: error)
        }
        do {
            let identity = try SystemIO.identity(of: fd)
            var needsLeadingNewline = false
            if identity.size > 0 {
                // The append descriptor is write-only; peek at the last byte through a second one.
                let reader = try SystemIO.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
                defer { SystemIO.closeQuietly(reader) }
                let last = try SystemIO.pread(reader, count: 1, at: identity.size - 1)
                needsLeadingNewline = last.first != UInt8(ascii: "\n")
            }
            return OpenFile(path: path, fd: fd, identity: identity, needsLeadingNewline: needsLeadingNewline)
        } catch {
            SystemIO.closeQuietly(fd)
            throw EventLogError("inspect", path: path, failure: error)
        }
    }
}
