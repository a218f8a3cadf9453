import FleetCore
import Monitoring
import SSHTransport

/// `fleetctl stop|start|restart|kill SELECTOR`: the same `agent-runner VERB --json` on every
/// selected host, at most `parallel` at once, with a result per host.
public enum FleetAction {
    public static let verbs = ["stop", "start", "restart", "kill"]

    /// One host's result.
    public struct Result: Sendable, Equatable {
        public var host: String
        public var ok: Bool
        /// `running`/`stopped` from the ServiceStatus the remote printed, when it printed one.
        public var service: String?
        /// What went wrong; nil when ok.
        public var error: String?
        public var duration: Duration

        public func json(verb: String) -> JSONObject {
            [
                "host": .string(host), "verb": .string(verb), "ok": .bool(ok),
                "service": service.map(JSONValue.string) ?? .null, "error": error.map(JSONValue.string) ?? .null,
                "duration_ms": .int(Int64(duration.seconds * 1000)),
            ]
        }
    }

    /// `<agent_runner> VERB --json [--config PATH]`.
    public static func command(_ verb: String, _ target: PollTarget) -> [String] {
        AgentRunnerCommand.verb([verb, "--json"], target.settings)
    }

    /// The default deadline of one host's call.
    public static let defaultTimeout: Duration = .seconds(120)

    public static func run(
        _ verb: String, on targets: [PollTarget], executor: any RemoteExecutor, parallel: Int,
        timeout: Duration = defaultTimeout
    ) -> [Result] {
        WorkerPool.map(targets, parallel: parallel) { target in
            let started = ContinuousClock.now
            let result = executor.run(host: target.remote, argv: command(verb, target), deadline: started + timeout)
            let elapsed = ContinuousClock.now - started
            if case .timeout = result.outcome, verb == "stop" || verb == "restart" {
                return afterTimeout(
                    verb, target, executor: executor, elapsed: elapsed, fallback: result.errorMessage ?? "timed out")
            }
            guard case .ok(let stdout) = result.outcome else {
                return Result(
                    host: target.name, ok: false, service: nil, error: result.errorMessage ?? result.outcome.category,
                    duration: elapsed)
            }
            var service: String?
            if let document = try? JSONParser.strict.parse(stdout), let active = document["active"]?.boolValue {
                service = active ? "running" : "stopped"
            }
            return Result(host: target.name, ok: true, service: service, error: nil, duration: elapsed)
        }
    }

    /// A graceful stop waits for the round in flight, which can outlast the deadline; the
    /// remote verb goes on after the ssh session is cut (agent-runner's service verbs ignore
    /// SIGHUP and SIGPIPE). One peek then tells the operator where the host really is,
    /// instead of a bare "timed out".
    static func afterTimeout(
        _ verb: String, _ target: PollTarget, executor: any RemoteExecutor, elapsed: Duration, fallback: String
    ) -> Result {
        let seconds = Int(elapsed.seconds.rounded())
        let poll = PeekPoller(executor: executor).poll(target)
        guard case .measured(_, let facts) = poll.outcome, facts.service != "unknown" else {
            return Result(
                host: target.name, ok: false, service: nil,
                error: "\(fallback); the host did not answer a peek afterwards either", duration: elapsed)
        }
        let service = facts.service
        switch (verb, service) {
        case ("stop", "stopped"):
            return Result(host: target.name, ok: true, service: service, error: nil, duration: elapsed)
        case ("stop", _):
            return Result(
                host: target.name, ok: false, service: "stopping",
                error:
                    "still stopping after \(seconds)s: serve is finishing its round and exits when it ends (the stop stays requested); fleetctl kill \(target.name) stops it now",
                duration: elapsed)
        default:
            return Result(
                host: target.name, ok: false, service: service == "running" ? "restarting" : service,
                error:
                    "restart still in progress after \(seconds)s (service \(service)): agent-runner restart goes on on the host, starting serve again once the round in flight ends; check with fleetctl status \(target.name), or fleetctl restart --force \(target.name) to restart now",
                duration: elapsed)
        }
    }
}
