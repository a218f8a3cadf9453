import FleetCore
import Glibc
import Synchronization
import TestSupport
import XCTest

/// The agent as a script of stand-ins, one per spawn: tiny real processes that keep the
/// round's stdio (the transcript), environment and process group. `spawn` returns once a
/// stand-in has settled (exited, or written its output and started its child), so a watch on a
/// fake clock sees it at a known point of its schedule. `run` requests (git, hooks) go to a
/// ``ScriptedProcessRunner``; by default git reports a clean tree and hooks succeed.
final class StandInAgents: ProcessRunner, Sendable {
    enum StandIn: Sendable {
        /// Prints `output` and exits with the code; spawn returns after the exit.
        case exits(Int32, output: String = "")
        /// Runs a shell script to its end (it sees `$AGENT_RUNNER_LOG_DIR`...); spawn returns after.
        case script(String)
        /// Prints `output` (a line) and runs until killed; with `withChild` it waits on a child
        /// (`sleep`), which then shows as a live worker. Spawn returns once both are visible.
        case runs(output: String, withChild: Bool = false)
        /// Cannot be started.
        case unstartable
    }

    private let script: Mutex<[StandIn]>
    private let spawned = Mutex<[ProcessRequest]>([])
    private let pids = Mutex<[pid_t]>([])
    let scripted: ScriptedProcessRunner
    /// Called with the 1-based spawn number before the stand-in starts (e.g. to send SIGTERM
    /// while the round runs).
    private let onSpawn: @Sendable (Int) -> Void

    init(
        _ standIns: [StandIn], run: @escaping ScriptedProcessRunner.RunHandler = StandInAgents.cleanTree,
        onSpawn: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        script = Mutex(standIns)
        scripted = ScriptedProcessRunner(run: run)
        self.onSpawn = onSpawn
    }

    /// git reports a clean tree with no commit; every other command succeeds silently.
    static let cleanTree: ScriptedProcessRunner.RunHandler = { request in
        request.arguments.contains("status") ? .finished(0, stdout: "# branch.oid (initial)\0") : .finished(0)
    }

    /// The spawn requests so far (what the agent was started with).
    var spawns: [ProcessRequest] { spawned.withLock { $0 } }

    /// Kills whatever a stand-in left running (its whole group).
    func killLeftovers() {
        for pid in pids.withLock({ $0 }) { kill(-pid, SIGKILL) }
    }

    func run(_ request: ProcessRequest) throws -> ProcessOutput {
        try scripted.run(request)
    }

    func spawn(_ request: ProcessRequest) throws -> RunningProcess {
        let number = spawned.withLock {
            $0.append(request)
            return $0.count
        }
        onSpawn(number)
        guard let standIn = script.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else {
            XCTFail("spawn \(number) of the agent was not scripted")
            throw ProcessError(.spawnFailed, "unscripted spawn")
        }
        var command = request
        command.executable = "/bin/sh"
        switch standIn {
        case .unstartable:
            throw ProcessError(.spawnFailed, "scripted: the agent cannot be started")
        case .exits(let code, let output):
            command = ScriptedProcessRunner.exiting(code, printing: output, for: request)
            return try started(command) { process in _ = process.wait() }
        case .script(let text):
            command.arguments = ["-c", text]
            return try started(command) { process in _ = process.wait() }
        case .runs(let output, let withChild):
            let rest = withChild ? "sleep 1000 & wait" : "exec sleep 1000"
            command.arguments = ["-c", "printf '%s\\n' \"$0\"; \(rest)", output]
            return try started(command) { process in
                settle(process, log: request.standardOutput, output: output, withChild: withChild)
            }
        }
    }

    private func started(_ request: ProcessRequest, settle: (RunningProcess) -> Void) throws -> RunningProcess {
        let process = try PosixProcessRunner().spawn(request)
        pids.withLock { $0.append(process.pid) }
        settle(process)
        return process
    }

    private func settle(_ process: RunningProcess, log: ProcessRequest.Output, output: String, withChild: Bool) {
        guard case .appendToFile(let path) = log else { return }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let text = (try? LocalFileSystem().readFile(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            if text.contains(output) && (!withChild || !ProcessTree.descendants(of: process.pid).isEmpty) { return }
            usleep(1000)
        }
        XCTFail("the stand-in did not write \(output) within 10 s")
    }
}

/// A fake clock that also acts at set times of its own: "the operator creates the stop file
/// 600 ms into the back-off". Alarms fire after the sleep that reaches them.
final class AlarmClock: MonotonicClock, Sendable {
    let fake: FakeClock
    private let alarms = Mutex<[(at: Duration, action: @Sendable () -> Void)]>([])

    init(_ fake: FakeClock = FakeClock()) {
        self.fake = fake
    }

    /// Runs `action` once the clock has moved `offset` past its start.
    func at(_ offset: Duration, _ action: @escaping @Sendable () -> Void) {
        alarms.withLock { $0.append((offset, action)) }
    }

    var now: ContinuousClock.Instant { fake.now }

    func sleep(until deadline: ContinuousClock.Instant) {
        fake.sleep(until: deadline)
        let elapsed = fake.elapsed
        let due = alarms.withLock { alarms in
            let due = alarms.filter { $0.at <= elapsed }
            alarms.removeAll { $0.at <= elapsed }
            return due
        }
        for alarm in due { alarm.action() }
    }
}

extension Effects {
    /// The effects of a supervisor test: `clock`'s fake time, the stand-in agents, the real file
    /// system without fsync (``UnsyncedDisk``, in the fixture's temporary directories) and
    /// `random` (unusable by default).
    static func standIn(
        clock: AlarmClock, agents: StandInAgents, random: any RandomSource = UnusableRandom(),
        fileSystem: any FileSystem = UnsyncedDisk()
    ) -> Effects {
        Effects(
            clock: clock, wallClock: clock.fake.wallClock, processes: agents, fileSystem: fileSystem, random: random)
    }
}
