/// How one round ended, as the restart policy needs to know it.
public struct RoundOutcome: Sendable, Equatable {
    /// The agent's exit code; for a signal death, minus the signal number (as Python's Popen).
    public var exitCode: Int32
    public var durationS: Double
    /// Killed at the hard wall or after the grace window: the supervisor ended it, not a crash.
    public var killedBySupervisor: Bool
    /// A provider throttle or another classified transient condition explains the failure.
    public var throttled: Bool
    /// The agent's output reports an error although it exited 0 (aider, pi): a failure all the same.
    public var reportedFailure = false

    public init(exitCode: Int32, durationS: Double, killedBySupervisor: Bool = false, throttled: Bool = false) {
        self.exitCode = exitCode
        self.durationS = durationS
        self.killedBySupervisor = killedBySupervisor
        self.throttled = throttled
    }
}

/// What serve does after a round.
public enum RestartVerdict: Sendable, Equatable {
    /// Run another round after this many seconds.
    case restart(afterS: Double)
    /// Too many unexplained short crashes in a row: stop with ``FleetCore/ExitCode/crashLoop`` so
    /// systemd does not respawn a doomed agent forever.
    case crashLoop(consecutive: Int, exitCode: Int32)
}

/// The restart-on-exit policy with the crash-loop breaker, as a value: rounds in, verdicts out.
///
/// An unknown short crash (non-zero exit or an error its output reports, shorter than
/// ``shortCrashS``, not explained by a throttle, not ended by the supervisor) extends the
/// streak and doubles the delay
/// (`restart_delay_s × 2^streak`, capped at 30 min); the fifth in a row gives up. Any other
/// round resets the streak.
public struct RestartPolicy: Sendable, Equatable {
    public var restartDelayS: Double
    public var shortCrashS: Double = 60
    public var crashLoopThreshold: Int = 5
    public var maxDelayS: Double = 1800
    /// Unknown short crashes in a row so far.
    public private(set) var consecutiveCrashes = 0

    public init(restartDelayS: Double) {
        self.restartDelayS = restartDelayS
    }

    /// Records a round and decides what happens next.
    public mutating func record(_ outcome: RoundOutcome) -> RestartVerdict {
        let crashed = (outcome.exitCode != 0 || outcome.reportedFailure) && !outcome.killedBySupervisor
        if crashed && outcome.durationS < shortCrashS && !outcome.throttled {
            consecutiveCrashes += 1
            if consecutiveCrashes >= crashLoopThreshold {
                return .crashLoop(consecutive: consecutiveCrashes, exitCode: outcome.exitCode)
            }
            let factor = Double(1 << min(consecutiveCrashes, 20))
            return .restart(afterS: min(restartDelayS * factor, maxDelayS))
        }
        consecutiveCrashes = 0
        return .restart(afterS: min(outcome.exitCode == 0 ? restartDelayS : restartDelayS * 2, maxDelayS))
    }
}
