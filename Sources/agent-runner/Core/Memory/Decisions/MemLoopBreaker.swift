import FleetCore

extension ExitCode {
    /// serve gave up after `mem_loop`: 5 mem-terminated rounds in a row. Not in the unit's
    /// `RestartPreventExitStatus`, so systemd restarts serve, which may find the pressure gone.
    public static let memLoop: Int32 = 71
    /// serve gave up after `mem_loop_persistent`: the 3rd `mem_loop` within 2 h. In
    /// `RestartPreventExitStatus` (70): the host needs a person.
    public static let memLoopPersistent: Int32 = 70
}

/// The `mem_loop` give-up breaker (detectors.md §9): a host stuck under memory pressure would
/// otherwise mem-terminate every round forever.
///
/// 5 mem-terminated rounds in a row → `mem_loop`, exit 71, and systemd restarts serve. When
/// that `mem_loop` is the 3rd within a rolling 7200 s — counted from the event log, because each
/// one ended a serve process — it is `mem_loop_persistent` instead, exit 70, and systemd leaves
/// it stopped. Any round that was not mem-terminated resets the count. Precedence over the other
/// verdicts: config_broken > mem_loop > crash_loop > stalled_no_progress.
public struct MemLoopBreaker: Sendable, Equatable {
    public static let threshold = 5
    public static let persistentCount = 3
    public static let windowS: Double = 7200

    public enum Verdict: Sendable, Equatable {
        case carryOn
        case memLoop(consecutive: Int, exitCode: Int32)
        case memLoopPersistent(consecutive: Int, exitCode: Int32, loopsInWindow: Int)

        /// serve's exit status for a give-up; nil for ``carryOn``.
        public var processExitCode: Int32? {
            switch self {
            case .carryOn: nil
            case .memLoop: ExitCode.memLoop
            case .memLoopPersistent: ExitCode.memLoopPersistent
            }
        }

        /// The give-up event, `{consecutive, exit_code, reason}` like `crash_loop`; `reason` is the
        /// redacted last 2000 characters of the round's transcript, as for crash_loop.
        public func event(reason: String) -> MemoryEvent? {
            switch self {
            case .carryOn:
                return nil
            case .memLoop(let consecutive, let exitCode):
                return MemoryEvent(MemLoop(consecutive: consecutive, exitCode: exitCode, reason: reason))
            case .memLoopPersistent(let consecutive, let exitCode, _):
                return MemoryEvent(MemLoopPersistent(consecutive: consecutive, exitCode: exitCode, reason: reason))
            }
        }
    }

    /// Mem-terminated rounds in a row so far.
    public private(set) var consecutive = 0
    /// Unix times of the `mem_loop` events seen (the log's, then this process's).
    public private(set) var loopEpochs: [Double]

    public init(priorLoopEpochs: [Double] = []) {
        loopEpochs = priorLoopEpochs
    }

    /// The Unix times of the `mem_loop` events in `events` (serve reads the newest 2 month
    /// files at boot, like its other breaker scans).
    public static func priorLoopEpochs(in events: [Event]) -> [Double] {
        events.compactMap { event in
            guard event.kind == EventKind.memLoop.rawValue, let instant = event.instant else { return nil }
            return Double(instant.seconds) + Double(instant.nanoseconds) / 1e9
        }
    }

    /// Records a round: `memTerminated` when it had a `round_mem_terminated` (``InRoundMemoryWatch/memTerminated``),
    /// `exitCode` the round child's exit status, `nowEpoch` the Unix time.
    public mutating func record(memTerminated: Bool, exitCode: Int32, nowEpoch: Double) -> Verdict {
        guard memTerminated else {
            consecutive = 0
            return .carryOn
        }
        consecutive += 1
        guard consecutive >= Self.threshold else { return .carryOn }
        let recent = loopEpochs.filter { nowEpoch - $0 <= Self.windowS && $0 <= nowEpoch }.count + 1
        loopEpochs.append(nowEpoch)
        if recent >= Self.persistentCount {
            return .memLoopPersistent(consecutive: consecutive, exitCode: exitCode, loopsInWindow: recent)
        }
        return .memLoop(consecutive: consecutive, exitCode: exitCode)
    }
}
