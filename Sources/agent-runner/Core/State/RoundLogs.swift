import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The per-round transcripts (the agent's merged stdout and stderr) and the `round-current.log`
/// pointer to the live one.
///
/// Layout, the runbook's and the original 0.3.14's: `log_dir/rounds/R<N>-<YYYYmmddTHHMMSS>.log`,
/// named by the round's UTC start. Our builds before this one wrote `log_dir/round-<N>.log`; the
/// original writes a file of that name too, but it holds only its round child's own output (a
/// STARTUP FAIL line, a traceback), usually nothing. Readers take both layouts, so a log dir
/// written by either tool, or by both in turn, reads the same: a round's transcript is its
/// `rounds/R<N>-*.log` when there is one, else its `round-<N>.log`, and numbering continues past
/// the highest N of either (the original continues past ours through status.json's round_num).
///
/// `round-current.log` is a relative symlink to the live transcript, set when the agent starts,
/// so `tail -F round-current.log` follows the rounds. (The original points it at the previous
/// round's wrapper log, after the round, never at a transcript: a bug not copied.)
public struct RoundLogs: Sendable {
    public let logDir: String

    public init(logDir: String) {
        self.logDir = logDir
    }

    /// Which of the two layouts a file belongs to.
    public enum Layout: Sendable, Equatable {
        /// `rounds/R<N>-<YYYYmmddTHHMMSS>.log`: the transcript, as this build and the original write it.
        case rounds
        /// `round-<N>.log`: our earlier transcripts, or the original's (usually empty) wrapper logs.
        case flat
    }

    /// One round log file.
    public struct File: Sendable, Equatable {
        public var round: Int
        public var path: String
        public var mtime: Int64
        public var layout: Layout
        public var bytes: Int64 = 0
    }

    /// `log_dir/rounds`.
    public var roundsDirectory: String { "\(logDir)/rounds" }

    public var currentLink: String { "\(logDir)/round-current.log" }

    /// Where round `round`, started at `start`, writes its transcript.
    public func newTranscriptPath(forRound round: Int, startedAt start: UTCInstant) -> String {
        "\(roundsDirectory)/\(Self.transcriptName(round: round, startedAt: start))"
    }

    /// `R<N>-<YYYYmmddTHHMMSS>.log`, the UTC start to the second, as the original names it.
    public static func transcriptName(round: Int, startedAt start: UTCInstant) -> String {
        let stamp = EventTimestamp.format(start).filter { $0 != "-" && $0 != ":" }.prefix(15)
        return "R\(round)-\(stamp).log"
    }

    /// Round `round`'s transcript: its `rounds/R<N>-*.log` (the newest, should there be two), else
    /// its `round-<N>.log`; nil when it has neither.
    public func transcript(forRound round: Int) -> String? {
        let mine = files().filter { $0.round == round }
        return (mine.filter { $0.layout == .rounds }.max { $0.path < $1.path } ?? mine.first)?.path
    }

    /// Every round log of both layouts (regular files only: the pointer is a symlink).
    public func files() -> [File] {
        var found: [File] = []
        for name in Self.names(in: roundsDirectory) {
            guard let round = Self.round(inTranscriptName: name) else { continue }
            if let file = Self.file(round: round, path: "\(roundsDirectory)/\(name)", layout: .rounds) {
                found.append(file)
            }
        }
        for name in Self.names(in: logDir) {
            guard name.hasPrefix("round-"), name.hasSuffix(".log"), let round = Int(name.dropFirst(6).dropLast(4)),
                round > 0
            else { continue }
            if let file = Self.file(round: round, path: "\(logDir)/\(name)", layout: .flat) { found.append(file) }
        }
        return found
    }

    /// The N of `R<N>-<anything>.log`.
    static func round(inTranscriptName name: String) -> Int? {
        guard name.hasPrefix("R"), name.hasSuffix(".log"), let dash = name.firstIndex(of: "-") else { return nil }
        guard let round = Int(name[name.index(after: name.startIndex)..<dash]), round > 0 else { return nil }
        return round
    }

    /// The highest round number with a log of either layout, or 0.
    public func highestRound() -> Int {
        files().map(\.round).max() ?? 0
    }

    /// Points `round-current.log` at `transcript` (a path under the log dir), atomically
    /// (symlink + rename), with a relative target so the log dir can be moved.
    public func pointCurrent(at transcript: String) {
        let target = transcript.hasPrefix(logDir + "/") ? String(transcript.dropFirst(logDir.count + 1)) : transcript
        let temporary = "\(logDir)/.round-current.\(getpid()).tmp"
        unlink(temporary)
        guard symlink(target, temporary) == 0 else { return }
        if rename(temporary, currentLink) != 0 { unlink(temporary) }
    }

    /// Every round with logs, its files of both layouts together (``RoundLogRetention/Round``).
    public func rounds() -> [RoundLogRetention.Round] {
        Dictionary(grouping: files(), by: \.round).map { number, files in
            RoundLogRetention.Round(
                number: number, mtime: files.map(\.mtime).max() ?? 0, bytes: files.map(\.bytes).reduce(0, +),
                paths: files.map(\.path).sorted())
        }
    }

    /// What a retention pass did.
    public struct PruneResult: Sendable, Equatable {
        /// The paths deleted, and the bytes they held.
        public var deleted: [String] = []
        public var bytes: Int64 = 0
        /// The bulk guard held: the rounds it kept (a misconfigured retention must not wipe a
        /// backlog an operator wants), reported as `round_logs_prune_deferred`.
        public var deferral: Deferral?

        public struct Deferral: Sendable, Equatable {
            public var existing: Int
            public var keep: Int
            public var wouldDelete: Int
            public var bytes: Int64
        }

        public init(deleted: [String] = [], bytes: Int64 = 0, deferral: Deferral? = nil) {
            self.deleted = deleted
            self.bytes = bytes
            self.deferral = deferral
        }
    }

    /// Deletes what `retention` plans for this log dir (with the bulk guard unless `bulkGuard` is
    /// false: `agent-runner prune --yes`).
    public func prune(_ retention: RoundLogRetention, bulkGuard: Bool = true) -> PruneResult {
        let all = rounds()
        let plan = retention.plan(all, bulkGuard: bulkGuard)
        var result = PruneResult()
        if plan.deferred {
            result.deferral = .init(
                existing: all.count, keep: retention.keepRounds, wouldDelete: plan.held.count, bytes: plan.bytesHeld)
        }
        for round in plan.delete {
            for path in round.paths where unlink(path) == 0 { result.deleted.append(path) }
            result.bytes += round.bytes
        }
        return result
    }

    private static func file(round: Int, path: String, layout: Layout) -> File? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return File(
            round: round, path: path, mtime: Int64(info.st_mtim.tv_sec), layout: layout, bytes: Int64(info.st_size))
    }

    private static func names(in directory: String) -> [String] {
        LocalFileSystem().directoryNames(directory)
    }
}
