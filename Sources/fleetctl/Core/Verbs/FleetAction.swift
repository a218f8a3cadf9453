import FleetCore
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
                "duration_ms": .int(Int64(Seconds.of(duration) * 1000)),
            ]
        }
    }

    /// `<agent_runner> VERB --json [--config PATH]`.
    public static func command(_ verb: String, _ target: PollTarget) -> [String] {
        AgentRunnerCommand.verb([verb, "--json"], target.settings)
    }

    public static func run(_ verb: String, on targets: [PollTarget], executor: any RemoteExecutor, parallel: Int, timeout: Duration = .seconds(120)) -> [Result] {
        WorkerPool.map(targets, parallel: parallel) { target in
            let started = ContinuousClock.now
            let result = executor.run(host: target.remote, argv: command(verb, target), deadline: started + timeout)
            let elapsed = ContinuousClock.now - started
            guard case .ok(let stdout) = result.outcome else {
                return Result(host: target.name, ok: false, service: nil, error: result.errorMessage ?? result.outcome.category, duration: elapsed)
            }
            var service: String?
            if let document = try? JSONParser.strict.parse(stdout), let active = document["active"]?.boolValue {
                service = active ? "running" : "stopped"
            }
            return Result(host: target.name, ok: true, service: service, error: nil, duration: elapsed)
        }
    }
}
