import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One line of `/proc/<pid>/stat`: who the process is (command, state, parent, start time) and
/// what it costs (CPU time of its own and of the children it has reaped, where fleetctl's
/// short-lived `ssh` mux clients and sshd's finished sessions land; resident pages).
struct ProcessStat: Equatable {
    var pid: Int32
    var command: String
    var state: Character
    var parent: Int32
    /// utime + stime, in clock ticks.
    var ownTicks: Int
    /// cutime + cstime: children waited for, in clock ticks.
    var reapedTicks: Int
    var rssPages: Int
    /// Clock ticks after boot: with the pid, identifies this process even if the pid is reused.
    var startTime: UInt64

    var isZombie: Bool { state == "Z" || state == "X" }
    var totalTicks: Int { ownTicks + reapedTicks }
    var rssKiB: Int { rssPages * Self.pageKiB }

    /// Clock ticks per second (USER_HZ, 100 on Linux).
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    static let pageKiB = Int(sysconf(Int32(_SC_PAGESIZE))) / 1024

    /// Parses a stat line. The command (field 2) is in parentheses and may itself hold spaces and
    /// parentheses, so the other fields are counted after the last `)`: state is field 3, ppid 4,
    /// utime, stime, cutime, cstime 14–17, starttime 22, rss (pages) 24.
    static func parse(_ line: String) -> ProcessStat? {
        guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")"), open < close,
            let pid = Int32(line[..<open].trimmingSpaces())
        else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ")
        guard fields.count >= 22, let state = fields[0].first, let parent = Int32(fields[1]),
            let utime = Int(fields[11]), let stime = Int(fields[12]), let cutime = Int(fields[13]),
            let cstime = Int(fields[14]), let start = UInt64(fields[19]), let rss = Int(fields[21])
        else { return nil }
        return ProcessStat(
            pid: pid, command: String(line[line.index(after: open)..<close]), state: state, parent: parent,
            ownTicks: utime + stime, reapedTicks: cutime + cstime, rssPages: rss, startTime: start)
    }

    /// `/proc/<pid>/stat`, or nil when the process is gone.
    static func read(_ pid: Int32) -> ProcessStat? {
        guard let bytes = try? LocalFileSystem().readFile("/proc/\(pid)/stat", limit: 4096) else { return nil }
        return parse(String(decoding: bytes, as: UTF8.self))
    }

    /// Every process in /proc, zombies included.
    static func snapshot() -> [ProcessStat] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var stats: [ProcessStat] = []
        while let item = readdir(directory) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let pid = Int32(name), let stat = read(pid) { stats.append(stat) }
        }
        return stats
    }

    /// CPU time `pid`'s main thread ran, to the nanosecond (the first field of
    /// /proc/<pid>/schedstat), or nil when it is gone. The stat line's ticks are whole 10 ms
    /// (each process's time rounded down), so a sum over 500 ControlMasters that each run well
    /// under a tick between two samples would read as nothing; for single-threaded processes
    /// (ssh, sshd) this is their exact own time.
    static func runtimeSeconds(_ pid: Int32) -> Double? {
        guard let bytes = try? LocalFileSystem().readFile("/proc/\(pid)/schedstat", limit: 256),
            let first = String(decoding: bytes, as: UTF8.self).split(separator: " ").first,
            let nanoseconds = Double(first)
        else { return nil }
        return nanoseconds / 1e9
    }

    /// Own CPU (exact, ``runtimeSeconds(_:)``) plus reaped children's (ticks: those add up whole
    /// processes, so their rounding does not accumulate), in seconds; for single-threaded processes.
    var singleThreadedCPUSeconds: Double {
        (Self.runtimeSeconds(pid) ?? Double(ownTicks) / Self.ticksPerSecond) + Double(reapedTicks) / Self.ticksPerSecond
    }

    /// Seconds since boot (/proc/uptime), the clock of ``startTime`` (in ticks).
    static func uptimeSeconds() -> Double {
        let bytes = (try? LocalFileSystem().readFile("/proc/uptime", limit: 256)) ?? []
        return String(decoding: bytes, as: UTF8.self).split(separator: " ").first.flatMap { Double($0) } ?? 0
    }

    /// Open descriptors of `pid` (entries of /proc/<pid>/fd); 0 when it is gone.
    static func openDescriptors(_ pid: Int32) -> Int {
        guard let directory = opendir("/proc/\(pid)/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != CChar(46) { count += 1 }  // not "." or ".."
        }
        return count
    }

    /// Proportional set size of `pid` in KiB (`Pss:` of smaps_rollup): shared pages such as ssh's
    /// code divided among the processes mapping them, so a sum over processes is what they cost
    /// together.
    static func pssKiB(_ pid: Int32) -> Int? {
        guard let bytes = try? LocalFileSystem().readFile("/proc/\(pid)/smaps_rollup", limit: 1 << 16) else {
            return nil
        }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("Pss:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
