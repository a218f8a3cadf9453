import AgentRunnerCore
import Glibc
import Synchronization
import TestSupport

@testable import FleetCore

/// Processes that exist only in memory, on a ``FakeClock``: each obeys SIGTERM after a delay or
/// ignores it, dies on SIGKILL (unless it is stuck in uninterruptible I/O), and may belong to
/// another user. Every signal sent is recorded with the clock's time, so a test asserts the
/// kill ladder's exact schedule.
final class FakeProcessTable: ProcessTable, Sendable {
    struct Process {
        var entry: ProcessTree.Entry
        /// How long after SIGTERM it exits; nil: it ignores SIGTERM.
        var termDelay: Duration?
        var ignoresKILL = false
        var foreign = false
        var exitsAt: ContinuousClock.Instant?
    }

    struct Signal: Equatable, CustomStringConvertible {
        var at: Duration
        var signal: Int32
        var pid: pid_t

        var description: String {
            let name = signal == SIGTERM ? "TERM" : signal == SIGKILL ? "KILL" : "\(signal)"
            let tenths = max(.zero, at).milliseconds / 100
            return "\(tenths / 10).\(tenths % 10)s \(name) \(pid)"
        }
    }

    let clock: FakeClock
    private let processes = Mutex<[pid_t: Process]>([:])
    private let sent = Mutex<[Signal]>([])

    init(clock: FakeClock) {
        self.clock = clock
    }

    /// Adds a process; `group` defaults to its own pid.
    func add(
        _ pid: pid_t, parent: pid_t = 1, group: pid_t? = nil, command: String, termDelay: Duration? = .zero,
        ignoresKILL: Bool = false, foreign: Bool = false
    ) {
        let entry = ProcessTree.Entry(
            pid: pid, parent: parent, processGroup: group ?? pid, session: group ?? pid,
            state: "S", command: command, startTime: UInt64(pid) * 10)
        processes.withLock {
            $0[pid] = Process(entry: entry, termDelay: termDelay, ignoresKILL: ignoresKILL, foreign: foreign)
        }
    }

    /// The signals sent so far (signal 0, the permission check, left out): `0.0s TERM 100`.
    var signals: [String] { sent.withLock { $0.map(\.description) } }

    func snapshot() -> [ProcessTree.Entry] {
        let now = clock.now
        return processes.withLock { table in table.values.filter { !$0.exited(at: now) }.map(\.entry) }
            .sorted { $0.pid < $1.pid }
    }

    func entry(for pid: pid_t) -> ProcessTree.Entry? {
        let now = clock.now
        return processes.withLock { table in table[pid].flatMap { $0.exited(at: now) ? nil : $0.entry } }
    }

    func send(_ signal: Int32, to pid: pid_t) -> Int32 {
        let now = clock.now
        let elapsed = clock.elapsed
        return processes.withLock { table in
            let targets = table.values.filter { process in
                !process.exited(at: now) && (pid > 0 ? process.entry.pid == pid : process.entry.processGroup == -pid)
            }
            guard !targets.isEmpty else { return ESRCH }
            if targets.contains(where: \.foreign) { return EPERM }
            guard signal != 0 else { return 0 }
            sent.withLock { $0.append(Signal(at: elapsed, signal: signal, pid: pid)) }
            for target in targets {
                let exit: ContinuousClock.Instant?
                switch signal {
                case SIGTERM: exit = target.termDelay.map { now + $0 }
                case SIGKILL: exit = target.ignoresKILL ? nil : now
                default: exit = nil
                }
                if let exit {
                    table[target.entry.pid]?.exitsAt = min(exit, target.exitsAt ?? exit)
                }
            }
            return 0
        }
    }
}

extension FakeProcessTable.Process {
    func exited(at now: ContinuousClock.Instant) -> Bool {
        exitsAt.map { now >= $0 } ?? false
    }
}
