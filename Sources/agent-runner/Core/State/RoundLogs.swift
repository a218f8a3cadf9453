#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FleetCore

/// The per-round transcript files `log_dir/round-<N>.log` and the `round-current.log` symlink
/// that always points at the live one (`tail -F round-current.log` follows rounds).
public struct RoundLogs: Sendable {
    public let logDir: String

    public init(logDir: String) {
        self.logDir = logDir
    }

    public func path(forRound round: Int) -> String {
        "\(logDir)/round-\(round).log"
    }

    public var currentLink: String { "\(logDir)/round-current.log" }

    /// Round numbers that have a log, with each file's mtime.
    public func existing() -> [(round: Int, path: String, mtime: Int64)] {
        guard let dir = opendir(logDir) else { return [] }
        defer { closedir(dir) }
        var found: [(Int, String, Int64)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix("round-"), name.hasSuffix(".log") else { continue }
            guard let round = Int(name.dropFirst(6).dropLast(4)), round > 0 else { continue }
            let path = "\(logDir)/\(name)"
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            found.append((round, path, Int64(info.st_mtim.tv_sec)))
        }
        return found
    }

    /// The highest round number with a log, or 0.
    public func highestRound() -> Int {
        existing().map(\.round).max() ?? 0
    }

    /// Points `round-current.log` at round `round`'s log, atomically (symlink + rename), with a
    /// relative target so the log dir can be moved.
    public func pointCurrent(at round: Int) {
        let temporary = "\(logDir)/.round-current.\(getpid()).tmp"
        unlink(temporary)
        guard symlink("round-\(round).log", temporary) == 0 else { return }
        if rename(temporary, currentLink) != 0 { unlink(temporary) }
    }

    /// What a retention pass would do.
    public enum PruneResult: Sendable, Equatable {
        case nothingToDo
        case deleted([String])
        /// More files would go than stay: nothing was deleted (a misconfigured retention must not
        /// wipe a backlog an operator wants), and `round_logs_prune_deferred` says so.
        case deferred(existing: Int, keep: Int, wouldDelete: Int)
    }

    /// Keeps the newest `keep` round logs by mtime; 0 keeps everything.
    public func prune(keep: Int) -> PruneResult {
        guard keep > 0 else { return .nothingToDo }
        let files = existing().sorted { ($0.mtime, $0.round) > ($1.mtime, $1.round) }
        guard files.count > keep else { return .nothingToDo }
        let stale = files.dropFirst(keep)
        if stale.count > keep {
            return .deferred(existing: files.count, keep: keep, wouldDelete: stale.count)
        }
        var deleted: [String] = []
        for file in stale where unlink(file.path) == 0 {
            deleted.append(file.path)
        }
        return .deleted(deleted)
    }
}
