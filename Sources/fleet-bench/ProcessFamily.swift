/// Processes descended from some roots within one /proc snapshot, following parent links (so
/// sshd's per-connection processes count under their listener although they start sessions of
/// their own). Pure over the snapshot.
enum ProcessFamily {
    static func descendants(of roots: [Int32], in snapshot: [ProcessStat]) -> [ProcessStat] {
        var children: [Int32: [ProcessStat]] = [:]
        for stat in snapshot where !stat.isZombie { children[stat.parent, default: []].append(stat) }
        var found: [ProcessStat] = []
        var pending = roots
        var seen = Set(roots)
        while let pid = pending.popLast() {
            for child in children[pid] ?? [] where seen.insert(child.pid).inserted {
                found.append(child)
                pending.append(child.pid)
            }
        }
        return found
    }

    /// Whether this very process (same pid and start time) still runs.
    static func isRunning(_ stat: ProcessStat) -> Bool {
        guard let now = ProcessStat.read(stat.pid) else { return false }
        return !now.isZombie && now.startTime == stat.startTime
    }
}
