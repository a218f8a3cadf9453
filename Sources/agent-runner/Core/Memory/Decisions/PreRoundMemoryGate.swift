import Detectors
import FleetCore

/// The pre-round memory gate (detectors.md §10, commands.md §2.13 step 6a): a round does not
/// start while the host is critically short of memory, because an agent started into that is
/// the round the kernel OOM-kills, or the one that swaps the host into an hour-long stall.
///
/// Critical only: a warning or an unavailable signal lets the round run. `--ignore-schedule`
/// does not bypass it. Serve's loop drives it:
///
///     switch gate.check(tier, now: now).decision   // emit the step's events first
///     case .proceed: run the round
///     case .wait(let s): sleep s (waking for SIGTERM / the stop file), sample, check again
///     case .resume: `continue` to the loop top (sentinel, throttle, stop file), then the gate again
///
/// `round_deferred{severity, signal, message}` when a deferral starts, `round_resumed
/// {deferred_for_s}` when the pressure is no longer critical. A stop during the pause ends it
/// without `round_resumed` (call ``interrupted()``), as a schedule pause does.
public struct PreRoundMemoryGate: Sendable, Equatable {
    public enum Decision: Sendable, Equatable {
        /// No deferral: run the round.
        case proceed
        /// Still critical: sample again after this many seconds.
        case wait(seconds: Double)
        /// The deferral is over: go back to the loop top before running the round.
        case resume
    }

    public struct Step: Sendable, Equatable {
        public var decision: Decision
        public var events: [MemoryEvent]
    }

    public let pollS: Double
    /// When the current deferral began (monotonic seconds); nil when not deferring.
    public private(set) var deferredSince: Double?

    public init(pollS: Double = MemoryDefenseSettings.gatePollS) {
        self.pollS = pollS
    }

    /// Whether a round is being held back.
    public var isDeferring: Bool { deferredSince != nil }

    /// The gate's answer for `tier`, sampled at monotonic second `now`.
    public mutating func check(_ tier: MemoryTier, now: Double) -> Step {
        if case .critical(let pressure) = tier {
            guard deferredSince == nil else { return Step(decision: .wait(seconds: pollS), events: []) }
            deferredSince = now
            return Step(
                decision: .wait(seconds: pollS),
                events: [
                    MemoryEvent(
                        RoundDeferred(
                            severity: pressure.severity.rawValue, signal: pressure.signal.rawValue,
                            message: pressure.message))
                ])
        }
        guard let since = deferredSince else { return Step(decision: .proceed, events: []) }
        deferredSince = nil
        let deferredFor = Int64(max(0, now - since).rounded(.down))
        return Step(decision: .resume, events: [MemoryEvent(RoundResumed(deferredForS: deferredFor))])
    }

    /// A stop request (SIGTERM, stop file) ended the pause: forget it without `round_resumed`.
    public mutating func interrupted() {
        deferredSince = nil
    }
}
