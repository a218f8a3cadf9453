import Detectors
import FleetCore
import SSHTransport

/// The result of polling one host's `agent-runner peek --json` once.
public struct HostPoll: Sendable {
    /// What the poll found, in the categories alerting treats differently.
    public enum Outcome: Sendable {
        /// The host answered with a peek document, read into the detectors' input and the
        /// status facts on the worker thread that polled (the document itself is dropped
        /// unless asked for: 10,000 parsed documents waiting for the loop would be gigabytes).
        case measured(observation: HostObservation, facts: HostFacts)
        /// ssh could not reach the host, or the poll hit its deadline: counts toward the
        /// host's remote-failure tolerance (a blip, then unreachable).
        case unreachable(RemoteFailure)
        /// ssh worked but peek failed or printed something unusable (an old or broken
        /// agent-runner, a noisy ~/.bashrc): the host is up, its state unknown.
        case unreadable
    }

    public var host: String
    public var outcome: Outcome
    /// The operator-facing error when the outcome is not `.measured`.
    public var error: String?
    /// The poller's clock when the answer arrived.
    public var polledAt: UTCInstant
    /// Wall time of the ssh call.
    public var latency: Duration

    public init(host: String, outcome: Outcome, error: String?, polledAt: UTCInstant, latency: Duration) {
        self.host = host
        self.outcome = outcome
        self.error = error
        self.polledAt = polledAt
        self.latency = latency
    }

    /// The peek document, kept only when the poll asked for it (`fleetctl peek`).
    public var document: JSONValue?

    /// The detectors' input: the document as an observation on the host's own clock.
    public var observation: HostObservation? {
        guard case .measured(let observation, _) = outcome else { return nil }
        return observation
    }

    public var facts: HostFacts? {
        guard case .measured(_, let facts) = outcome else { return nil }
        return facts
    }

    public var isReachable: Bool {
        if case .unreachable = outcome { return false }
        return true
    }
}
