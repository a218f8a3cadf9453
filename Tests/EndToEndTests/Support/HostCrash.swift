import FleetCore
import Foundation
import Glibc

/// A power cut on a test host: every process of the host is frozen (SIGSTOP) and then killed
/// (SIGKILL), so none of them sees another die and reacts: serve cannot log its agent's death,
/// `agent-runner stop` cannot print "stopped", an upgrade cannot start its rollback. Files stay
/// as the processes left them (the page cache survives a kill; a real power loss can also lose
/// what was not fsynced, which AtomicFile covers for state files).
///
/// A test host's processes are found by their environment, `HOME=<the host's home>` (serve, the
/// agent and whatever it started, the verbs run as that host), plus `roots` and all their
/// descendants (a host's sshd, whose per-connection children and remote commands die with it).
enum HostCrash {
    /// Kills the host's processes; returns what it killed. Repeats the sweep until no new
    /// process appears (serve may be forking its next agent while the sweep runs).
    @discardableResult
    static func powerOff(home: String?, roots: [pid_t] = []) -> [ProcessTree.Entry] {
        var frozen: [pid_t: ProcessTree.Entry] = [:]
        for _ in 0..<20 {
            let found = processes(home: home, roots: roots).filter { frozen[$0.pid] == nil }
            if found.isEmpty { break }
            for entry in found {
                kill(entry.pid, SIGSTOP)
                frozen[entry.pid] = entry
            }
        }
        for pid in frozen.keys { kill(pid, SIGKILL) }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline && frozen.values.contains(where: { isSame($0) }) { usleep(10_000) }
        return Array(frozen.values)
    }

    /// The live processes of the host (the test process itself never).
    static func processes(home: String?, roots: [pid_t]) -> [ProcessTree.Entry] {
        let snapshot = ProcessTree.snapshot().filter { !$0.isZombie && $0.pid != getpid() }
        var selected = Set(roots.filter { root in snapshot.contains { $0.pid == root } })
        var children: [pid_t: [pid_t]] = [:]
        for entry in snapshot { children[entry.parent, default: []].append(entry.pid) }
        var pending = Array(selected)
        while let next = pending.popLast() {
            for child in children[next] ?? [] where selected.insert(child).inserted { pending.append(child) }
        }
        if let home {
            let marker = Array("HOME=\(home)".utf8)
            for entry in snapshot where !selected.contains(entry.pid) {
                let environment = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry.pid)/environ"))) ?? Data()
                if environment.split(separator: 0).contains(where: { Array($0) == marker }) {
                    selected.insert(entry.pid)
                }
            }
        }
        return snapshot.filter { selected.contains($0.pid) }
    }

    /// Whether this process incarnation still runs (not a zombie, pid not reused).
    static func isSame(_ entry: ProcessTree.Entry) -> Bool {
        guard let now = ProcessTree.entry(for: entry.pid) else { return false }
        return !now.isZombie && now.startTime == entry.startTime
    }
}
