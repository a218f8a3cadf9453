import Dispatch
import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How the agent process ended.
public struct AgentExit: Sendable, Equatable {
    public var status: ExitStatus
    public var durationS: Double
    /// Killed at the hard wall (`round_timeout_s`).
    public var timedOut: Bool
    /// Killed after its result marker once the grace window passed with no live workers.
    public var graceKilled: Bool
    /// Set when the grace window passed but workers were still alive (reported once).
    public var graceExtended: Bool
    /// Ended by serve's mid-round memory floor (`round_mem_terminated`).
    public var memTerminated = false

    /// The exit code as the original reports it: negative signal number for a signal death.
    public var exitCode: Int32 {
        switch status {
        case .terminated(let code): return code
        case .signalled(let signal): return -signal
        }
    }

    /// `grace_kill` > `timeout` > `signal:<NAME>` > `clean` > `error`.
    public var exitCause: String {
        if graceKilled { return "grace_kill" }
        if timedOut { return "timeout" }
        switch status {
        case .signalled(let signal): return "signal:" + ExitStatus.signalName(signal)
        case .terminated(let code) where code > 128 && code - 128 < 65:
            return "signal:" + ExitStatus.signalName(code - 128)
        case .terminated(0): return "clean"
        case .terminated: return "error"
        }
    }

    /// The round did its job: exit 0 and not killed.
    public var ok: Bool { status == .terminated(0) && !timedOut && !memTerminated }

    /// Died from a signal it did not get from us.
    public var signalDeath: Bool {
        if case .signalled = status { return !timedOut }
        return false
    }
}

/// A live descendant of the agent when its grace window ends: a worker holds the round open,
/// one matched by `grace_kill_ignore_patterns` (`matched`) does not.
public struct AgentWorker: Sendable, Equatable {
    public var pid: pid_t
    public var name: String
    public var matched: String?

    public init(pid: pid_t, name: String, matched: String? = nil) {
        self.pid = pid
        self.name = name
        self.matched = matched
    }
}

/// Watches a running agent: the hard wall, the grace window after the terminal marker, and
/// progress events. Ticks every 200 ms on the effects' monotonic clock, so wall-clock steps
/// (NTP, a Pi without RTC) cannot shorten or stretch a round, and a test on a fake clock runs a
/// half-hour round in milliseconds.
struct AgentWatch {
    let process: RunningProcess
    let logPath: String
    let timeoutS: Int
    let killGrace: Duration
    let terminalMarker: [UInt8]
    let maxGraceAfterResultS: Int
    let ignorePatterns: [String]
    let progressIntervalS: Int
    let clock: any MonotonicClock
    let wallClock: any WallClock
    /// Called with an event to record (`round_grace_extended`, `round_progress`).
    let emit: (any TypedEvent) -> Void
    let round: Int
    /// Serve's memory floor (nil for `agent-runner round`).
    var memory: (any RoundMemoryObserver)? = nil

    /// How often the watch looks at the agent when it has not exited.
    static let tick = Duration.milliseconds(200)
    /// How often the transcript is scanned for the terminal marker.
    static let scanInterval = Duration.seconds(1)

    /// What the watch remembers between ticks.
    private struct State {
        let start: ContinuousClock.Instant
        var scanOffset: Int64 = 0
        var carry: [UInt8] = []
        var markerSeenAt: ContinuousClock.Instant?
        var lastScan: ContinuousClock.Instant
        var lastProgress: ContinuousClock.Instant
        var extended = false

        init(start: ContinuousClock.Instant) {
            self.start = start
            lastScan = start
            lastProgress = start
        }
    }

    func run() -> AgentExit {
        var state = State(start: clock.now)
        // A waiter thread wakes the loop the moment the agent exits, so the round ends without
        // waiting for the next tick (the tick only drives timeouts, marker scans and progress).
        let exited = DispatchSemaphore(value: 0)
        let process = self.process
        DispatchQueue.global().async {
            _ = process.wait()
            exited.signal()
        }
        while true {
            if let status = process.poll() {
                return exit(status, state, timedOut: false, graceKilled: false)
            }
            let now = clock.now
            if now - state.start > .seconds(timeoutS) {
                return exit(process.terminate(grace: killGrace), state, timedOut: true, graceKilled: false)
            }
            scanForMarker(&state, now: now)
            if graceWindowEnded(&state, now: now) {
                return exit(process.terminate(grace: killGrace), state, timedOut: true, graceKilled: true)
            }
            reportProgress(&state, now: now)
            if let memory, case .terminate(let grace) = memory.tick(now: now, process: process) {
                var ended = exit(process.terminate(grace: grace), state, timedOut: false, graceKilled: false)
                ended.memTerminated = true
                return ended
            }
            _ = clock.sleep(until: clock.now + Self.tick, wakingFor: exited)
        }
    }

    private func exit(_ status: ExitStatus, _ state: State, timedOut: Bool, graceKilled: Bool) -> AgentExit {
        AgentExit(
            status: status, durationS: (clock.now - state.start).seconds, timedOut: timedOut,
            graceKilled: graceKilled, graceExtended: graceKilled ? false : state.extended)
    }

    /// Once a second until the marker is seen, when a grace window is configured.
    private func scanForMarker(_ state: inout State, now: ContinuousClock.Instant) {
        guard maxGraceAfterResultS > 0, !terminalMarker.isEmpty, state.markerSeenAt == nil,
            now - state.lastScan >= Self.scanInterval
        else { return }
        state.lastScan = now
        if scan(&state.scanOffset, &state.carry) { state.markerSeenAt = now }
    }

    /// After the grace window: true when no worker is left (grace kill); otherwise the round is
    /// extended once (`round_grace_extended`) and runs on to its hard wall.
    private func graceWindowEnded(_ state: inout State, now: ContinuousClock.Instant) -> Bool {
        guard let seen = state.markerSeenAt, !state.extended, now - seen > .seconds(maxGraceAfterResultS) else {
            return false
        }
        let (live, ignored) = liveWorkers()
        if live.isEmpty { return true }
        state.extended = true
        emit(RoundGraceExtended(roundNum: round, graceS: maxGraceAfterResultS, live: live, ignored: ignored))
        return false
    }

    /// Every `round_progress_interval_s`: the transcript's size and age.
    private func reportProgress(_ state: inout State, now: ContinuousClock.Instant) {
        guard progressIntervalS > 0, now - state.lastProgress >= .seconds(progressIntervalS) else { return }
        state.lastProgress = now
        // The transcript is the agent's own file on disk (it writes there directly).
        var info = stat()
        let exists = stat(logPath, &info) == 0
        let age = exists ? max(0, wallClock.now().seconds - Int64(info.st_mtim.tv_sec)) : 0
        emit(
            RoundProgress(
                roundNum: round, logSizeKB: exists ? Int64(info.st_size) / 1024 : 0, lastWriteAgeS: age,
                wallAgeS: Int64((now - state.start).seconds)))
    }

    /// Scans newly written log bytes for the marker, carrying a marker-length overlap between reads.
    /// Reads the disk directly: the agent writes its transcript there itself.
    private func scan(_ offset: inout Int64, _ carry: inout [UInt8]) -> Bool {
        while true {
            let chunk = Directories.read(logPath, from: offset, limit: 256 << 10)
            if chunk.isEmpty { return false }
            offset += Int64(chunk.count)
            let window = carry + chunk
            if Self.contains(window, terminalMarker) { return true }
            carry = Array(window.suffix(max(terminalMarker.count - 1, 0)))
            if chunk.count < 256 << 10 { return false }
        }
    }

    /// Live (non-zombie) descendants of the agent, split into workers and ignored helpers.
    private func liveWorkers() -> (live: [AgentWorker], ignored: [AgentWorker]) {
        let regexes = ignorePatterns.compactMap { pattern in (try? Regex(pattern)).map { (pattern, $0) } }
        var live: [AgentWorker] = []
        var ignored: [AgentWorker] = []
        for pid in ProcessTree.descendants(of: process.pid) {
            guard let entry = ProcessTree.entry(for: pid), !entry.isZombie else { continue }
            let cmdline = (ProcessTree.commandLine(of: pid) ?? [entry.command]).joined(separator: " ")
            if let hit = regexes.first(where: { cmdline.contains($0.1) }) {
                ignored.append(AgentWorker(pid: pid, name: entry.command, matched: hit.0))
            } else {
                live.append(AgentWorker(pid: pid, name: entry.command, matched: nil))
            }
        }
        return (live, ignored)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
