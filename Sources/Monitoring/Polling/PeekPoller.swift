import Detectors
import FleetCore
import SSHTransport

/// Polls one host's `agent-runner peek --json` over a ``RemoteExecutor`` and classifies the
/// answer. fleetctl's status and watch and agent-runner's `monitor --host` all poll through it.
///
/// A host running the original 0.3.x gets at most one more call per poll (``OriginalFollowUp``):
/// its version once per connection, a round transcript when its newest round failed short.
public struct PeekPoller: Sendable {
    public var executor: any RemoteExecutor
    /// Measures latency and sets poll deadlines.
    public var clock: any MonotonicClock
    /// Stamps each answer (`polledAt`), the time detectors judge the host's report against.
    public var wallClock: any WallClock
    /// Original hosts' versions and transcript verdicts, kept across polls.
    public let memory: OriginalHostMemory

    public init(
        executor: any RemoteExecutor, clock: any MonotonicClock = SystemMonotonicClock(),
        wallClock: any WallClock = SystemClock(), memory: OriginalHostMemory = OriginalHostMemory()
    ) {
        self.executor = executor
        self.clock = clock
        self.wallClock = wallClock
        self.memory = memory
    }

    /// One poll, never longer than the host's `poll_timeout_s` (plus the kill grace).
    /// - Parameter keepDocument: keep the peek document in the result (`fleetctl peek`).
    /// - Parameter policy: the host's detector thresholds (which rounds are short failures).
    public func poll(
        _ target: PollTarget, keepDocument: Bool = false,
        policy: DetectorPolicy = DetectorPolicy()
    ) -> HostPoll {
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
                return HostPoll(
                    host: target.name, outcome: .unreadable,
                    error:
                        "\(target.remote.label): peek printed JSON that is not an object; is this an agent-runner peek document?",
                    polledAt: now, latency: latency)
            }
            var observation = HostObservation(peek: document, pollerNow: now)
            var facts = HostFacts(peek: document, polledAt: now)
            if observation.producer.isOriginal {
                followUp(
                    target, observation: &observation, facts: &facts, policy: policy,
                    deadline: started + target.pollTimeout)
            }
            var poll = HostPoll(
                host: target.name, outcome: .measured(observation: observation, facts: facts),
                error: nil, polledAt: now, latency: clock.now - started)
            if keepDocument { poll.document = Self.annotated(document, facts: facts) }
            return poll
        case .sshFailure(_, let message):
            memory.connectionLost(target.name)
            return HostPoll(
                host: target.name, outcome: .unreachable(Self.failure(result, fallback: message)),
                error: result.errorMessage ?? message, polledAt: now, latency: latency)
        case .timeout(let after):
            memory.connectionLost(target.name)
            let message =
                result.errorMessage
                ?? "\(target.remote.label): no answer within \(after.shortText); the poll was killed"
            return HostPoll(
                host: target.name, outcome: .unreachable(RemoteFailure(returncode: -1, stderrTail: message)),
                error: message, polledAt: now, latency: latency)
        case .remoteFailure, .badOutput:
            return HostPoll(
                host: target.name, outcome: .unreadable, error: result.errorMessage ?? result.outcome.category,
                polledAt: now, latency: latency)
        }
    }

    /// The one extra call for an original host, if it needs one; applies what it found. A failed
    /// call changes nothing: the poll stands on the peek alone and the next poll asks again.
    private func followUp(
        _ target: PollTarget, observation: inout HostObservation, facts: inout HostFacts,
        policy: DetectorPolicy, deadline: ContinuousClock.Instant
    ) {
        let host = target.name
        if let plan = OriginalFollowUp.plan(
            observation, versionAsked: memory.versionAsked(host),
            verdicts: memory.verdicts(of: host), policy: policy)
        {
            let result = executor.run(host: target.remote, argv: plan.command(target.settings), deadline: deadline)
            if case .ok(let stdout) = result.outcome {
                let answer = plan.read(stdout)
                if plan.askVersion { memory.recordVersion(answer.version, for: host) }
                if let verdict = answer.verdict { memory.record(verdict, for: host) }
            } else if plan.askVersion, case .remoteFailure = result.outcome {
                memory.recordVersion(nil, for: host)
            }
        }
        observation.apply(memory.verdicts(of: host))
        if let version = memory.version(of: host) { facts.version = version }
    }

    /// `fleetctl peek` shows what fleetctl added to the host's document under its own key, never
    /// in the host's fields: `{"fleetctl": {"agent_runner_version", "runner"}}`.
    static func annotated(_ document: JSONValue, facts: HostFacts) -> JSONValue {
        guard case .object(var object) = document, let runner = facts.runner else { return document }
        object["fleetctl"] = .object(
            JSONObject([
                ("agent_runner_version", facts.version.map(JSONValue.string) ?? .null), ("runner", .string(runner)),
            ]))
        return .object(object)
    }

    private static func failure(_ result: RemoteResult, fallback: String) -> RemoteFailure {
        var code = 255
        if case .terminated(let status)? = result.exit { code = Int(status) }
        let tail = result.stderrTail.isEmpty ? fallback : result.stderrTail
        return RemoteFailure(returncode: code, stderrTail: tail)
    }
}
