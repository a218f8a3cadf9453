import Glibc
import Synchronization

/// Reads events back from an event-log directory, newest first, touching only the end of the log.
///
/// Files are visited newest month first and read backwards in chunks (`BackwardLineReader`), so
/// `tail(limit: 20)` on a 1 GB log reads one 64 KiB chunk, not the file. Lines that are not
/// events are skipped, never fatal: blank lines, unparseable or non-object JSON, objects without
/// string `ts`/`event`, and the unterminated last line of a file (still being written, or torn).
/// Invalid UTF-8 is replaced with U+FFFD (lenient parsing), so such a line is kept when it
/// otherwise parses. A missing log directory reads as an empty log.
public final class EventLogReader: Sendable {
    /// The log directory.
    public let directory: String
    /// The file-name prefix: `events` for the event log, `metrics` for the host-metrics log.
    public let prefix: String
    /// The parser applied to each line; its `maxBytes` also bounds the line length kept in memory.
    public let parser: JSONParser
    /// How many bytes each backward read asks for.
    public let chunkSize: Int
    private let readCounter = Atomic<Int>(0)

    /// A reader of `directory`.
    public init(
        directory: String, parser: JSONParser = .lenient, chunkSize: Int = 64 << 10,
        prefix: String = EventLogFile.eventsPrefix
    ) {
        self.directory = directory
        self.prefix = prefix
        self.parser = parser
        self.chunkSize = chunkSize
    }

    /// Total bytes this reader has read from log files, for tests and diagnostics (proves reads
    /// are proportional to what is returned).
    public var bytesRead: Int { readCounter.load(ordering: .relaxed) }

    /// Up to `limit` events, newest first, optionally only those whose kind is in `kinds`.
    public func tail(kinds: Set<String>? = nil, limit: Int) throws -> [Event] {
        var events: [Event] = []
        guard limit > 0 else { return events }
        try scanBackwards { event in
            if kinds?.contains(event.kind) ?? true { events.append(event) }
            return events.count < limit
        }
        return events
    }

    /// The last `count` events (optionally only of `kinds`) in chronological order: the
    /// `--window N` view.
    public func lastEvents(_ count: Int, kinds: Set<String>? = nil) throws -> [Event] {
        try tail(kinds: kinds, limit: count).reversed()
    }

    /// The events with a timestamp strictly after `since` (at or after it when `inclusive`), in
    /// file order (oldest first): the `--since` resumption view.
    ///
    /// Reads backwards from the end and stops at the first event older than `since` minus
    /// `reorderTolerance` seconds, so the cost is proportional to the recent events, not the
    /// log. The tolerance covers clocks that jump backwards (a Pi restoring `fake-hwclock`
    /// after a crash can be up to an hour behind), which puts out-of-order lines in the log.
    /// Events whose `ts` cannot be parsed are left out, since they cannot be placed in time.
    public func events(
        since: UTCInstant, kinds: Set<String>? = nil, reorderTolerance: Int64 = 3_600, inclusive: Bool = false
    ) throws -> [Event] {
        let stopBefore = since.adding(seconds: -reorderTolerance)
        let stopFile = EventLogFile(directory: directory, instant: stopBefore, prefix: prefix)
        var events: [Event] = []
        try scanBackwards(stopAtFile: stopFile) { event in
            guard let instant = event.instant else { return true }
            if instant > since || (inclusive && instant == since), kinds?.contains(event.kind) ?? true {
                events.append(event)
            }
            return instant >= stopBefore
        }
        return events.reversed()
    }

    /// The newest event of one of `kinds` (any kind when nil), or nil when there is none.
    public func lastEvent(ofKinds kinds: Set<String>? = nil) throws -> Event? {
        try tail(kinds: kinds, limit: 1).first
    }

    /// The timestamp of the newest event with a valid `ts`, or nil for an empty log.
    public func latestTimestamp() throws -> UTCInstant? {
        var latest: UTCInstant?
        try scanBackwards { event in
            latest = event.instant
            return latest == nil
        }
        return latest
    }

    /// Calls `visit` with each complete line (without its newline) from newest to oldest, across
    /// the month files, until it returns false or `maxLines` lines were visited. Lines are not
    /// parsed: a caller that wants only some kinds checks ``Event/kind(inLine:)`` first and
    /// parses only those, so scanning a bounded tail stays cheap.
    public func scanLines(maxLines: Int = .max, _ visit: ([UInt8]) -> Bool) throws {
        var remaining = maxLines
        guard remaining > 0 else { return }
        try scanLinesBackwards(stopAtFile: nil) { line in
            remaining -= 1
            return visit(line) && remaining > 0
        }
    }

    /// Calls `visit` with each event from newest to oldest until it returns false. Files older
    /// than `stopAtFile` are not opened.
    private func scanBackwards(stopAtFile: EventLogFile? = nil, _ visit: (Event) -> Bool) throws {
        try scanLinesBackwards(stopAtFile: stopAtFile) { line in
            guard let event = Event(line: line, parser: parser) else { return true }
            return visit(event)
        }
    }

    private func scanLinesBackwards(stopAtFile: EventLogFile?, _ visit: ([UInt8]) -> Bool) throws {
        let files = try EventLogFile.list(in: directory, prefix: prefix).reversed()
        for file in files {
            if let stopAtFile, file < stopAtFile { return }
            let fd: Int32
            do {
                fd = try SystemIO.open(file.path, O_RDONLY | O_CLOEXEC)
            } catch  where error.code == ENOENT {
                continue  // removed since the listing (pruned); nothing to read
            } catch {
                throw EventLogError("open", path: file.path, failure: error)
            }
            defer { SystemIO.closeQuietly(fd) }
            var lines: BackwardLineReader
            do {
                lines = BackwardLineReader(
                    fd: fd, fileSize: try SystemIO.identity(of: fd).size,
                    chunkSize: chunkSize, maxLineBytes: parser.limits.maxBytes
                )
            } catch {
                throw EventLogError("inspect", path: file.path, failure: error)
            }
            defer { readCounter.add(lines.bytesRead, ordering: .relaxed) }
            while true {
                let line: [UInt8]?
                do {
                    line = try lines.previousLine()
                } catch {
                    throw EventLogError("read", path: file.path, failure: error)
                }
                guard let line else { break }
                if !visit(line) { return }
            }
        }
    }
}
