import Detectors
import FleetCore
import SSHTransport

/// Stops a host's service over ssh and confirms it, all within `auto_stop.confirm_s`:
/// `agent-runner stop` (with the host's remote config), then peek again until the service
/// reports inactive. serve finishes the round in flight before exiting, so "asked" is not
/// "stopped": only a confirmed stop is recorded as `monitor_auto_stop_triggered`.
///
/// The remote stop is bounded by `confirm_s` too. This agent-runner's `stop` waits until serve
/// has exited, which can take a whole round (up to `round_timeout_s`); the original's waits 5 s.
/// Without the bound an auto-stop of a host in a long round held its worker until the round
/// ended (and then reported it confirmed) or until a fixed 60 s ssh deadline, whatever
/// `confirm_s` said. When the bound cuts the call short, serve normally has its SIGTERM already
/// (the remote stop sends it first thing) and exits when its round ends; the outcome is "not
/// confirmed" with what peek saw.
public struct AutoStopper: Sendable {
    /// What happened.
    public struct Outcome: Sendable, Equatable {
        public var confirmed: Bool
        /// Why the stop is not confirmed; nil when it is.
        public var error: String?
        public var elapsed: Duration
    }

    /// Runs the stop and the confirming peeks, on its executor and clock.
    public var poller: PeekPoller
    /// Pause between confirming peeks.
    public var confirmInterval: Duration

    public init(poller: PeekPoller, confirmInterval: Duration = .milliseconds(500)) {
        self.poller = poller
        self.confirmInterval = confirmInterval
    }

    /// `agent-runner stop [--config PATH]` for `target`.
    public static func stopCommand(_ target: PollTarget) -> [String] {
        AgentRunnerCommand.verb(["stop"], target.settings)
    }

    /// Blocks the calling thread (a worker, never the poll loop) until confirmed or given up,
    /// about `confirmS` at most (plus the last confirming peek).
    public func stop(_ target: PollTarget, confirmS: Double) -> Outcome {
        let clock = poller.clock
        let started = clock.now
        let window = Duration.seconds(confirmS)
        let confirmBy = started + window
        let result = poller.executor.run(host: target.remote, argv: Self.stopCommand(target), deadline: confirmBy)
        var still = "the service still reports active"
        switch result.outcome {
        case .ok:
            break
        case .timeout:
            still += " (`agent-runner stop` had not returned; serve finishes the round in flight before it exits)"
        default:
            return Outcome(
                confirmed: false,
                error: "`agent-runner stop` failed: \(result.errorMessage ?? result.outcome.category)",
                elapsed: clock.now - started)
        }
        var last = "no answer yet"
        while true {
            let poll = poller.poll(target)
            if let facts = poll.facts {
                if facts.service == "stopped" {
                    return Outcome(confirmed: true, error: nil, elapsed: clock.now - started)
                }
                last = facts.service == "running" ? still : "peek reports no service state"
            } else {
                last = poll.error ?? "peek failed"
            }
            if clock.now + confirmInterval > confirmBy { break }
            clock.sleep(for: confirmInterval)
        }
        return Outcome(
            confirmed: false, error: "stop did not take effect within \(window.shortText): \(last)",
            elapsed: clock.now - started)
    }
}
