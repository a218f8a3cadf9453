import Glibc

/// Follows an event-log directory forwards, like `tail -F` across the monthly files.
///
/// Polling-based: each `poll()` returns the complete events appended since the previous poll;
/// the caller picks the interval. The follower remembers a (file, byte offset) position that
/// always sits at the start of a line:
/// - an unterminated last line is not returned until its newline arrives;
/// - when a newer month file appears, the rest of the current file is read and the follower
///   moves to the next file (a line left unterminated in the old file is abandoned);
/// - when the file is deleted, replaced (new inode), truncated or rewritten in place (its first
///   bytes changed, or the byte before the position is no longer a newline), reading restarts at
///   offset 0 of whatever file now has that name;
/// - a missing directory is an empty log that may appear later.
/// No descriptor is held between polls, so log pruning and rotation are never blocked.
public struct EventLogFollower: Sendable {
    /// Where a new follower starts.
    public enum StartPosition: Sendable, Equatable {
        /// At the first line of the oldest file: every event is returned.
        case beginning
        /// After the last complete line of the newest file: only new events are returned
        /// (plus the current unterminated line once it is completed).
        case end
    }

    /// The log directory.
    public let directory: String
    /// The parser applied to each line.
    public let parser: JSONParser
    /// Most bytes one poll reads; the rest waits for the next poll. Bounds memory and latency.
    public let maxBytesPerPoll: Int

    /// The file being followed, or nil before any file exists.
    public private(set) var currentFile: EventLogFile?
    /// Byte offset in `currentFile` of the first line not yet returned.
    public private(set) var offset: Int64 = 0
    private var identity: SystemIO.FileIdentity?
    /// The first bytes of the followed file, to recognise it being rewritten in place.
    private var head: [UInt8] = []
    /// Inside an overlong line whose start was dropped: skip up to its newline.
    private var skippingOverlongLine = false
    private static let chunkSize = 64 << 10
    private static let headLength = 64

    /// A follower of `directory`, starting at `start`.
    /// - Throws: `EventLogError` when the directory or newest file cannot be read.
    public init(
        directory: String, from start: StartPosition = .end, parser: JSONParser = .lenient,
        maxBytesPerPoll: Int = 16 << 20
    ) throws {
        self.directory = directory
        self.parser = parser
        self.maxBytesPerPoll = max(maxBytesPerPoll, 1)
        let files = try EventLogFile.list(in: directory)
        switch start {
        case .beginning:
            currentFile = files.first
        case .end:
            guard let newest = files.last else { return }
            currentFile = newest
            try positionAtEnd(of: newest)
        }
    }

    /// The complete events appended since the last poll, in file order.
    /// - Throws: `EventLogError` for read failures other than a vanished file or directory.
    public mutating func poll() throws -> [Event] {
        var events: [Event] = []
        var budget = maxBytesPerPoll
        while budget > 0 {
            if currentFile == nil {
                guard let oldest = try EventLogFile.list(in: directory).first else { return events }
                start(oldest)
            }
            guard let file = currentFile else { return events }
            // List before reading: every line written to this file before a newer month file
            // appeared is then read before the follower moves on.
            let newer = try EventLogFile.list(in: directory).first(where: { $0 > file })
            guard try readAvailable(from: file, budget: &budget, into: &events), let newer else { return events }
            start(newer)
        }
        return events
    }

    /// Follows `file` from its first byte.
    private mutating func start(_ file: EventLogFile) {
        currentFile = file
        offset = 0
        identity = nil
        head = []
        skippingOverlongLine = false
    }

    private mutating func positionAtEnd(of file: EventLogFile) throws {
        do {
            let fd = try SystemIO.open(file.path, O_RDONLY | O_CLOEXEC)
            defer { SystemIO.closeQuietly(fd) }
            let current = try SystemIO.identity(of: fd)
            identity = current
            // Back up to just after the last newline, so an unterminated line is returned once complete.
            var position = current.size
            while position > 0 {
                let chunkStart = max(0, position - Int64(Self.chunkSize))
                let chunk = try SystemIO.pread(fd, count: Int(position - chunkStart), at: chunkStart)
                if let newline = chunk.lastIndex(of: UInt8(ascii: "\n")) {
                    offset = chunkStart + Int64(newline) + 1
                    return
                }
                position = chunkStart
            }
            offset = 0
        } catch  where error.code == ENOENT {
            offset = 0
        } catch {
            throw EventLogError("read", path: file.path, failure: error)
        }
    }

    /// Whether the file changed under the current position: its first bytes differ from those
    /// remembered, or the position no longer follows a newline. Catches truncate-and-rewrite,
    /// which keeps the inode and may even grow past the old size.
    private func isRewritten(_ fd: Int32) throws(SystemIO.Failure) -> Bool {
        if try SystemIO.pread(fd, count: head.count, at: 0) != head { return true }
        if skippingOverlongLine { return false }
        return try SystemIO.pread(fd, count: 1, at: offset - 1) != [UInt8(ascii: "\n")]
    }

    /// Reads complete lines of `file` from `offset` within `budget`; returns true when the end of
    /// the file's complete lines was reached (or the file does not exist).
    private mutating func readAvailable(
        from file: EventLogFile, budget: inout Int, into events: inout [Event]
    ) throws -> Bool {
        let fd: Int32
        do {
            fd = try SystemIO.open(file.path, O_RDONLY | O_CLOEXEC)
        } catch  where error.code == ENOENT {
            return true
        } catch {
            throw EventLogError("open", path: file.path, failure: error)
        }
        defer { SystemIO.closeQuietly(fd) }
        do {
            let current = try SystemIO.identity(of: fd)
            if let known = identity, !known.isSameFile(as: current) || current.size < offset {
                // Replaced or truncated: the old position means nothing in the new contents.
                offset = 0
                head = []
                skippingOverlongLine = false
            }
            if offset > 0, try isRewritten(fd) {
                offset = 0
                head = []
                skippingOverlongLine = false
            }
            identity = current
            if head.count < Self.headLength {
                head = try SystemIO.pread(fd, count: Self.headLength, at: 0)
            }
            var pending: [UInt8] = []
            var readPosition = offset
            while readPosition < current.size {
                guard budget > 0 else { return false }
                let count = Int(min(Int64(min(Self.chunkSize, budget)), current.size - readPosition))
                let chunk = try SystemIO.pread(fd, count: count, at: readPosition)
                guard !chunk.isEmpty else { break }
                budget -= chunk.count
                var lineStart = 0
                for (index, byte) in chunk.enumerated() where byte == UInt8(ascii: "\n") {
                    if skippingOverlongLine {
                        skippingOverlongLine = false
                    } else {
                        pending.append(contentsOf: chunk[lineStart..<index])
                        if let event = Event(line: pending, parser: parser) { events.append(event) }
                    }
                    pending.removeAll(keepingCapacity: true)
                    lineStart = index + 1
                    offset = readPosition + Int64(lineStart)
                }
                readPosition += Int64(chunk.count)
                if skippingOverlongLine {
                    offset = readPosition
                } else {
                    pending.append(contentsOf: chunk[lineStart...])
                    if pending.count > parser.limits.maxBytes {
                        skippingOverlongLine = true
                        pending = []
                        offset = readPosition
                    }
                }
            }
            return true
        } catch {
            throw EventLogError("read", path: file.path, failure: error)
        }
    }
}
