import FleetCore
import Detectors
import SSHTransport

/// Polls one host's `agent-runner peek --json` over a ``RemoteExecutor`` and classifies the
/// answer. fleetctl's status and watch and agent-runner's `monitor --host` all poll through it.
public struct PeekPoller: Sendable {
    public var executor: any RemoteExecutor
    /// Measures latency and sets poll deadlines.
    public var clock: any MonotonicClock
    /// Stamps each answer (`polledAt`), the time detectors judge the host's report against.
    public var wallClock: any WallClock

    public init(executor: any RemoteExecutor, clock: any MonotonicClock = SystemMonotonicClock(),
                wallClock: any WallClock = SystemClock()) {
        self.executor = executor
        self.clock = clock
        self.wallClock = wallClock
    }

    /// One poll, never longer than the host's `poll_timeout_s` (plus the kill grace).
    /// - Parameter keepDocument: keep the peek document in the result (`fleetctl peek`).
    public func poll(_ target: PollTarget, keepDocument: Bool = false) -> HostPoll {
        let started = clock.now
        let answer = executor.runJSON(
            host: target.remote, argv: AgentRunnerCommand.peek(target.settings), deadline: started + target.pollTimeout)
        let latency = clock.now - started
        let now = wallClock.now()
        let result = answer.result
        switch result.outcome {
        case .ok:
            let document = answer.document ?? .null
            guard case .object = document else {
                return HostPoll(host: target.name, outcome: .unreadable,
                                error: "\(target.remote.label): peek printed JSON that is not an object; is this an agent-runner peek document?",
                                polledAt: now, latency: latency)
            }
            var poll = HostPoll(host: target.name,
                                outcome: .measured(observation: HostObservation(peek: document, pollerNow: now), facts: HostFacts(peek: document, polledAt: now)),
                                error: nil, polledAt: now, latency: latency)
            if keepDocument { poll.document = document }
            return poll
        case .sshFailure(_, let message):
            return HostPoll(host: target.name, outcome: .unreachable(Self.failure(result, fallback: message)),
                            error: result.errorMessage ?? message, polledAt: now, latency: latency)
        case .timeout(let after):
            let message = result.errorMessage
                ?? "\(target.remote.label): no answer within \(after.shortText); the poll was killed"
            return HostPoll(host: target.name, outcome: .unreachable(RemoteFailure(returncode: -1, stderrTail: message)),
                            error: message, polledAt: now, latency: latency)
        case .remoteFailure, .badOutput:
            return HostPoll(host: target.name, outcome: .unreadable, error: result.errorMessage ?? result.outcome.category,
                            polledAt: now, latency: latency)
        }
    }

    private static func failure(_ result: RemoteResult, fallback: String) -> RemoteFailure {
        var code = 255
        if case .terminated(let status)? = result.exit { code = Int(status) }
        let tail = result.stderrTail.isEmpty ? fallback : result.stderrTail
        return RemoteFailure(returncode: code, stderrTail: tail)
    }
}
