import Glibc
import Detectors
import FleetCore
import SSHTransport

/// Stops a host's service over ssh and confirms it: `agent-runner stop` (with the host's
/// remote config), then peek again until the service reports inactive or `auto_stop.confirm_s`
/// runs out. serve finishes the round in flight before exiting, so "asked" is not "stopped":
/// only a confirmed stop is recorded as `monitor_auto_stop_triggered`.
public struct AutoStopper: Sendable {
    /// What happened.
    public struct Outcome: Sendable, Equatable {
        public var confirmed: Bool
        /// Why the stop is not confirmed; nil when it is.
        public var error: String?
        public var elapsed: Duration
    }

    public var executor: any RemoteExecutor
    public var poller: PeekPoller
    /// Deadline of the remote `agent-runner stop` itself (it waits up to 5 s on the host).
    public var stopTimeout: Duration
    /// Pause between confirming peeks.
    public var confirmInterval: Duration

    public init(executor: any RemoteExecutor, poller: PeekPoller, stopTimeout: Duration = .seconds(60), confirmInterval: Duration = .milliseconds(500)) {
        self.executor = executor
        self.poller = poller
        self.stopTimeout = stopTimeout
        self.confirmInterval = confirmInterval
    }

    /// `agent-runner stop [--config PATH]` for `target`.
    public static func stopCommand(_ target: PollTarget) -> [String] {
        AgentRunnerCommand.verb(["stop"], target.settings)
    }

    /// Blocks the calling thread (a worker, never the poll loop) until confirmed or given up.
    public func stop(_ target: PollTarget) -> Outcome {
        let started = ContinuousClock.now
        let result = executor.run(host: target.remote, argv: Self.stopCommand(target), deadline: started + stopTimeout)
        if !result.outcome.isOK {
            return Outcome(confirmed: false, error: "`agent-runner stop` failed: \(result.errorMessage ?? result.outcome.category)", elapsed: ContinuousClock.now - started)
        }
        let confirmBy = started + .milliseconds(Int64(target.settings.autoStop.confirmS * 1000))
        var last = "no answer yet"
        while true {
            let poll = poller.poll(target)
            if let facts = poll.facts {
                if facts.service == "stopped" { return Outcome(confirmed: true, error: nil, elapsed: ContinuousClock.now - started) }
                last = facts.service == "running" ? "the service still reports active" : "peek reports no service state"
            } else {
                last = poll.error ?? "peek failed"
            }
            if ContinuousClock.now + confirmInterval > confirmBy { break }
            sleep(for: confirmInterval)
        }
        let window = Seconds.text(.milliseconds(Int64(target.settings.autoStop.confirmS * 1000)))
        return Outcome(confirmed: false, error: "stop did not take effect within \(window): \(last)", elapsed: ContinuousClock.now - started)
    }

    private func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
