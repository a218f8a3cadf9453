import Glibc

/// A pid file that can tell a live owner from a stale file whose pid was reused.
///
/// Written atomically as `{"pid": N, "start_time": T}`, where `T` is the process start time in
/// clock ticks since boot (field 22 of `/proc/PID/stat`). A pid alone is not proof: after a
/// reboot or a long uptime another process can have the same pid, so a recorded start time must
/// also match. Files from older versions are still understood, with a liveness check only: a
/// bare integer, and the original tool's `{"pid": N, "create_time": F}`.
public struct PidFile: Sendable {
    /// The pid file.
    public let path: String

    /// What a pid file records.
    public struct Record: Sendable, Equatable {
        /// The recorded pid.
        public let pid: Int32
        /// The recorded start time in clock ticks, or nil for legacy files (liveness check only).
        public let startTime: UInt64?

        /// Creates a record.
        public init(pid: Int32, startTime: UInt64?) {
            self.pid = pid
            self.startTime = startTime
        }
    }

    /// A pid file at `path`.
    public init(path: String) {
        self.path = path
    }

    /// Records `pid` (default: this process) and its start time, atomically.
    /// - Throws: `FileError` when the process does not exist or the file cannot be written.
    public func write(pid: Int32 = getpid()) throws {
        guard let startTime = PidFile.startTime(of: pid), let ticks = Int64(exactly: startTime) else {
            throw FileError(
                path: path, message: "cannot write \(path): process \(pid) is not running (no /proc/\(pid)/stat)")
        }
        let record: JSONValue = ["pid": .int(Int64(pid)), "start_time": .int(ticks)]
        try AtomicFile.write(JSONWriter(style: .python).encode(record) + [UInt8(ascii: "\n")], to: path)
    }

    /// The recorded pid and start time, or nil when there is no pid file.
    /// - Throws: `FileError` when the file cannot be read or is not a pid file in any known format.
    public func read() throws -> Record? {
        let bytes: [UInt8]
        do {
            bytes = try SystemIO.readFile(path, limit: 4_096)
        } catch  where error.code == ENOENT {
            return nil
        } catch {
            throw FileError("read the pid file", path: path, failure: error)
        }
        guard let record = PidFile.parse(bytes) else {
            throw FileError(
                path: path,
                message:
                    #"\#(path) is not a pid file (expected {"pid": N, "start_time": T} or a bare pid): remove it if no instance is running"#
            )
        }
        return record
    }

    /// The recorded pid when that process is still running, or nil when there is no pid file,
    /// it is unreadable garbage, or the process is gone (dead, zombie, or its pid now belongs to
    /// a process with a different start time).
    /// - Throws: `FileError` only when the file exists but cannot be read (e.g. permissions).
    public func runningPID() throws -> Int32? {
        let record: Record?
        do {
            record = try read()
        } catch let error as FileError where error.errorNumber == nil {
            return nil
        }
        guard let record, PidFile.isRunning(record) else { return nil }
        return record.pid
    }

    /// Deletes the pid file; a missing file is not an error.
    public func remove() throws {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw FileError("remove the pid file", path: path, failure: SystemIO.Failure(code: errno))
        }
    }

    /// Whether `record` describes a live process: it exists, is not a zombie, and (when a start
    /// time is recorded) started at that time.
    public static func isRunning(_ record: Record) -> Bool {
        guard record.pid > 0, let stat = processStat(record.pid), stat.state != "Z", stat.state != "X" else {
            return false
        }
        if let expected = record.startTime { return stat.startTime == expected }
        return true
    }

    /// The start time of process `pid` in clock ticks since boot, or nil when it does not exist.
    public static func startTime(of pid: Int32) -> UInt64? {
        guard pid > 0 else { return nil }
        return processStat(pid)?.startTime
    }

    /// Reads the state (field 3) and start time (field 22) of `/proc/PID/stat`. The command name
    /// (field 2) may contain spaces and parentheses, so fields are counted from the last ')'.
    private static func processStat(_ pid: Int32) -> (state: String, startTime: UInt64)? {
        guard let bytes = try? SystemIO.readFile("/proc/\(pid)/stat", limit: 4_096),
            let close = bytes.lastIndex(of: UInt8(ascii: ")"))
        else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " ")).map {
            String(decoding: $0, as: UTF8.self)
        }
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19, let startTime = UInt64(fields[19]) else { return nil }
        return (fields[0], startTime)
    }

    private static func parse(_ bytes: [UInt8]) -> Record? {
        let text = SystemIO.trimmedText(bytes)
        if let bare = Int32(text) {
            return bare > 0 ? Record(pid: bare, startTime: nil) : nil
        }
        guard case .object(let object)? = try? JSONParser.strict.parse(text),
            let pidValue = object["pid"]?.intValue, let pid = Int32(exactly: pidValue), pid > 0
        else { return nil }
        if let start = object["start_time"] {
            guard let ticks = start.intValue, let startTime = UInt64(exactly: ticks) else { return nil }
            return Record(pid: pid, startTime: startTime)
        }
        return Record(pid: pid, startTime: nil)
    }
}
