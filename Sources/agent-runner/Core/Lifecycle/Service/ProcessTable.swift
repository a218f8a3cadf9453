import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The processes of the host as the kill ladder and `stop` see them (`/proc`) and signal them
/// (`kill(2)`), behind a protocol so the ladder's schedule (SIGTERM, the grace, SIGKILL, the
/// last wait) is tested on a fake clock against a scripted table instead of real processes in
/// real time.
public protocol ProcessTable: Sendable {
    /// Every process now, zombies included.
    func snapshot() -> [ProcessTree.Entry]
    /// The process with `pid` now (a zombie included), or nil.
    func entry(for pid: pid_t) -> ProcessTree.Entry?
    /// Sends `signal` to `pid` (a negative pid: to that process group; 0: only checks that a
    /// signal would be allowed). Returns 0, or the errno (`ESRCH`, `EPERM`).
    @discardableResult
    func send(_ signal: Int32, to pid: pid_t) -> Int32
}

extension ProcessTable {
    /// The live process `file` names: same pid and, when recorded, the same start time (a
    /// recycled pid is never taken for it); nil for a missing or unreadable file.
    public func running(_ file: PidFile) -> ProcessTree.Entry? {
        guard let record = try? file.read(), record.pid > 0, let entry = entry(for: record.pid), !entry.isZombie else {
            return nil
        }
        if let expected = record.startTime, expected != entry.startTime { return nil }
        return entry
    }
}

/// The machine's process table.
public struct LiveProcessTable: ProcessTable {
    public init() {}

    public func snapshot() -> [ProcessTree.Entry] {
        ProcessTree.snapshot()
    }

    public func entry(for pid: pid_t) -> ProcessTree.Entry? {
        ProcessTree.entry(for: pid)
    }

    public func send(_ signal: Int32, to pid: pid_t) -> Int32 {
        Glibc.kill(pid, signal) == 0 ? 0 : errno
    }
}
