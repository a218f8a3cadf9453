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

    /// What a retention pass would do.
    public enum PruneResult: Sendable, Equatable {
        case nothingToDo
        case deleted([String])
        /// More rounds would go than stay: nothing was deleted (a misconfigured retention must not
        /// wipe a backlog an operator wants), and `round_logs_prune_deferred` says so.
        case deferred(existing: Int, keep: Int, wouldDelete: Int)
    }

    /// Keeps the logs of the newest `keep` rounds by mtime, of both layouts (a round's transcript
    /// and the original's wrapper log of the same round go together); 0 keeps everything.
    public func prune(keep: Int) -> PruneResult {
        guard keep > 0 else { return .nothingToDo }
        let rounds = Dictionary(grouping: files(), by: \.round)
            .map { (round: $0.key, mtime: $0.value.map(\.mtime).max() ?? 0, files: $0.value) }
            .sorted { ($0.mtime, $0.round) > ($1.mtime, $1.round) }
        guard rounds.count > keep else { return .nothingToDo }
        let stale = rounds.dropFirst(keep)
        if stale.count > keep {
            return .deferred(existing: rounds.count, keep: keep, wouldDelete: stale.count)
        }
        var deleted: [String] = []
        for file in stale.flatMap(\.files).sorted(by: { $0.path < $1.path }) where unlink(file.path) == 0 {
            deleted.append(file.path)
        }
        return .deleted(deleted)
    }

    private static func file(round: Int, path: String, layout: Layout) -> File? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return File(round: round, path: path, mtime: Int64(info.st_mtim.tv_sec), layout: layout)
    }

    private static func names(in directory: String) -> [String] {
        LocalFileSystem().directoryNames(directory)
    }
}
