import FleetCore
import Monitoring
import SSHTransport

/// `fleetctl events SELECTOR --kind K [--since TS]`: every selected host's matching events
/// (`agent-runner events`), each tagged with `host`, merged into one stream ordered by time.
public enum FleetEventQuery {
    /// What one host answered.
    public struct HostAnswer: Sendable {
        public var host: String
        public var events: [JSONObject]
        public var error: String?
    }

    /// `<agent_runner> events --kind K [--since TS | --window N] [--config PATH]`.
    public static func command(kinds: String, since: String?, window: Int?, _ target: PollTarget) -> [String] {
        var words = ["events", "--kind", kinds]
        if let since { words += ["--since", since] } else if let window { words += ["--window", String(window)] }
        return AgentRunnerCommand.verb(words, target.settings)
    }

    public static func fetch(
        kinds: String, since: String?, window: Int?, targets: [PollTarget], executor: any RemoteExecutor,
        parallel: Int, timeout: Duration = .seconds(60)
    ) -> [HostAnswer] {
        WorkerPool.map(targets, parallel: parallel) { target in
            let result = executor.run(
                host: target.remote, argv: command(kinds: kinds, since: since, window: window, target),
                deadline: .now + timeout)
            guard case .ok(let stdout) = result.outcome else {
                return HostAnswer(host: target.name, events: [], error: result.errorMessage ?? result.outcome.category)
            }
            var events: [JSONObject] = []
            for line in stdout.split(separator: UInt8(ascii: "\n")) {
                guard case .object(let event)? = try? JSONParser.lenient.parse(Array(line)),
                    event["ts"]?.stringValue != nil
                else { continue }
                var tagged: JSONObject = ["host": .string(target.name)]
                for (key, value) in event where key != "host" { tagged[key] = value }
                if let original = event["host"] { tagged["remote_host"] = original }
                events.append(tagged)
            }
            return HostAnswer(host: target.name, events: events, error: nil)
        }
    }

    /// All events ordered by `ts` (then by host order, then by each host's own order).
    public static func merge(_ answers: [HostAnswer]) -> [JSONObject] {
        var indexed: [(ts: UTCInstant, host: Int, position: Int, event: JSONObject)] = []
        for (hostIndex, answer) in answers.enumerated() {
            for (position, event) in answer.events.enumerated() {
                let ts = event["ts"]?.stringValue.flatMap(EventTimestamp.parse) ?? UTCInstant(seconds: 0)
                indexed.append((ts, hostIndex, position, event))
            }
        }
        indexed.sort { ($0.ts, $0.host, $0.position) < ($1.ts, $1.host, $1.position) }
        return indexed.map(\.event)
    }
}
