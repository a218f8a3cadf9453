import Glibc

/// A read-only view of the process table through `/proc`, for what process groups alone
/// cannot answer: which descendants left the group (a `setsid`'d daemon, an `ssh`
/// ControlMaster), whether a group still has live members, and what is still running
/// (the "which children are still alive" report).
///
/// Zombies are treated as gone everywhere: they run nothing and cannot be killed, and an
/// init that never reaps (common in containers) would otherwise keep them "alive" forever.
public enum ProcessTree {
    /// One process, parsed from `/proc/<pid>/stat`.
    public struct Entry: Sendable, Equatable, CustomStringConvertible {
        public let pid: pid_t
        public let parent: pid_t
        public let processGroup: pid_t
        public let session: pid_t
        /// Kernel state letter: R running, S sleeping, D disk wait, Z zombie, ...
        public let state: Character
        /// The kernel's short command name (`comm`, at most 15 bytes); may contain spaces
        /// and parentheses.
        public let command: String
        /// Start time in clock ticks since boot. Together with `pid` it identifies one
        /// process incarnation, so a pid recycled since a snapshot is not mistaken for it.
        public let startTime: UInt64

        public var isZombie: Bool { state == "Z" || state == "X" }

        /// "1234 (sleep)", for reports.
        public var description: String { "\(pid) (\(command))" }
    }

    /// Every process visible in /proc, in no particular order.
    public static func snapshot() -> [Entry] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var entries: [Entry] = []
        while let item = readdir(directory) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = pid_t(name), let entry = entry(for: pid) else { continue }
            entries.append(entry)
        }
        return entries
    }

    /// The process with this pid, or nil if there is none (zombies included).
    public static func entry(for pid: pid_t) -> Entry? {
        Descriptor.readFile("/proc/\(pid)/stat", limit: 4096).flatMap(parseStat)
    }

    /// Live descendants of `pid` (children, grandchildren, ...), found by following parent
    /// links, so it includes those that moved to another group or session. Processes
    /// orphaned before the call were re-parented away and cannot be found this way.
    public static func descendants(of pid: pid_t) -> [pid_t] {
        descendants(of: pid, in: snapshot()).map(\.pid)
    }

    /// Live members of a process group.
    public static func processGroupMembers(_ processGroup: pid_t) -> [pid_t] {
        snapshot().filter { $0.processGroup == processGroup && !$0.isZombie }.map(\.pid)
    }

    /// Whether `pid` exists and is not a zombie.
    public static func isAlive(_ pid: pid_t) -> Bool {
        entry(for: pid).map { !$0.isZombie } ?? false
    }

    /// The full argument vector, or nil if the process is gone; empty for zombies and
    /// kernel threads.
    public static func commandLine(of pid: pid_t) -> [String]? {
        guard let bytes = Descriptor.readFile("/proc/\(pid)/cmdline") else { return nil }
        return bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The real user id of `pid` (the `Uid:` line of `/proc/<pid>/status`), or nil if it is gone.
    /// It decides whether a non-root process may signal `pid`.
    public static func userID(of pid: pid_t) -> uid_t? {
        guard let bytes = Descriptor.readFile("/proc/\(pid)/status", limit: 8192) else { return nil }
        return parseUserID(status: bytes)
    }

    /// The user's name for reports: `alice`, or `uid 1002` when the account database has none.
    public static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }

    /// The first (real) id of the `Uid:` line: `Uid:\t1000\t1000\t1000\t1000`.
    static func parseUserID(status bytes: [UInt8]) -> uid_t? {
        let prefix = Array("Uid:".utf8)
        for line in bytes.split(separator: UInt8(ascii: "\n")) where line.starts(with: prefix) {
            let fields = line.dropFirst(prefix.count).split { $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: " ") }
            return fields.first.flatMap { uid_t(String(decoding: $0, as: UTF8.self)) }
        }
        return nil
    }

    /// Live descendants of `pid` within one snapshot.
    static func descendants(of pid: pid_t, in snapshot: [Entry]) -> [Entry] {
        var children: [pid_t: [Entry]] = [:]
        for entry in snapshot { children[entry.parent, default: []].append(entry) }
        var found: [Entry] = []
        var pending = [pid]
        var seen: Set<pid_t> = [pid]
        while let next = pending.popLast() {
            for child in children[next] ?? [] where seen.insert(child.pid).inserted {
                pending.append(child.pid)
                if !child.isZombie { found.append(child) }
            }
        }
        return found
    }

    /// Parses a `/proc/<pid>/stat` line: `pid (comm) state ppid pgrp session ...`.
    /// `comm` is chosen by the program and may contain spaces and ")" (a binary named
    /// `a) (b`), so it runs from the first "(" to the LAST ")"; the numeric fields follow.
    static func parseStat(_ bytes: [UInt8]) -> Entry? {
        let open = UInt8(ascii: "(")
        let close = UInt8(ascii: ")")
        guard let commStart = bytes.firstIndex(of: open),
            let commEnd = bytes.lastIndex(of: close),
            commStart < commEnd
        else { return nil }
        let space = UInt8(ascii: " ")
        let pidText = String(decoding: bytes[..<commStart].filter { $0 != space }, as: UTF8.self)
        let fields = bytes[(commEnd + 1)...].split(separator: space).map { String(decoding: $0, as: UTF8.self) }
        // After comm: state(3) ppid(4) pgrp(5) session(6) ... starttime(22).
        guard fields.count > 19,
            let pid = pid_t(pidText),
            let state = fields[0].first,
            let parent = pid_t(fields[1]),
            let processGroup = pid_t(fields[2]),
            let session = pid_t(fields[3]),
            let startTime = UInt64(fields[19])
        else { return nil }
        return Entry(
            pid: pid, parent: parent, processGroup: processGroup, session: session, state: state,
            command: String(decoding: bytes[(commStart + 1)..<commEnd], as: UTF8.self),
            startTime: startTime)
    }
}
