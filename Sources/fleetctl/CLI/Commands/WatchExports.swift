import FleetControl
import FleetCore
import Monitoring

/// What `fleetctl watch` feeds beyond its own output: the Prometheus endpoint
/// (`--metrics-listen`) and the `kind = "alertmanager"` hooks. Both sit on the watch reports,
/// off the poll path: recording a poll takes a lock for microseconds, delivery has its own threads.
final class WatchExports: Sendable {
    static let metricsListenOption = OptionSpec(
        "metrics-listen", value: "ADDRESS:PORT",
        help: "Serve Prometheus metrics at http://ADDRESS:PORT/metrics (e.g. 127.0.0.1:9464).")
    static let httpOption = OptionSpec(
        "http", value: "ADDRESS:PORT",
        help:
            "Serve the fleet dashboard at http://ADDRESS:PORT/ (:PORT means 127.0.0.1; port 0 picks one). Read-only; a non-loopback ADDRESS also needs --http-allow-remote."
    )
    static let httpAllowRemoteOption = OptionSpec(
        "http-allow-remote",
        help:
            "Let --http listen on a non-loopback address (the dashboard has no login: prefer ssh -L or a reverse proxy with authentication, see docs/dashboard.md)."
    )
    static let shardOption = OptionSpec(
        "shard", value: "K/N", help: "Poll only shard K of N of the selected hosts (by a stable hash of the host name)."
    )

    let recorder: FleetMetricsRecorder?
    let endpoint: MetricsEndpoint?
    private let alertmanagers: [(route: HookRoute, dispatcher: AlertmanagerDispatcher)]

    private init(
        recorder: FleetMetricsRecorder?, endpoint: MetricsEndpoint?,
        alertmanagers: [(route: HookRoute, dispatcher: AlertmanagerDispatcher)]
    ) {
        self.recorder = recorder
        self.endpoint = endpoint
        self.alertmanagers = alertmanagers
    }

    /// The `--shard` the command line asks for (nil: all hosts).
    static func shard(_ parsed: ParsedArguments) throws(UsageError) -> WatchShard? {
        guard let text = parsed.value("shard") else { return nil }
        guard let shard = WatchShard(text) else {
            throw UsageError("--shard must be K/N with 1 <= K <= N (e.g. 2/4), got '\(text)'", verb: parsed.verb)
        }
        return shard
    }

    /// `--metrics-listen` parsed (nil when not given).
    static func listen(_ parsed: ParsedArguments) throws(UsageError) -> (address: String, port: Int)? {
        guard let text = parsed.value("metrics-listen") else { return nil }
        guard let listen = MetricsEndpoint.parseListen(text) else {
            throw UsageError(
                "--metrics-listen must be IPV4-ADDRESS:PORT (e.g. 127.0.0.1:9464), got '\(text)'", verb: parsed.verb)
        }
        return listen
    }

    /// `--http` parsed (nil when not given); a non-loopback address without
    /// `--http-allow-remote` is a usage error, since the dashboard has no login of its own.
    static func dashboardListen(_ parsed: ParsedArguments) throws(UsageError) -> (address: String, port: Int)? {
        guard let text = parsed.value("http") else {
            if parsed.has("http-allow-remote") {
                throw UsageError("--http-allow-remote needs --http ADDRESS:PORT", verb: parsed.verb)
            }
            return nil
        }
        guard let listen = MetricsEndpoint.parseListen(text) else {
            throw UsageError("--http must be IPV4-ADDRESS:PORT (e.g. 127.0.0.1:8080), got '\(text)'", verb: parsed.verb)
        }
        if !DashboardServer.isLoopback(listen.address) && !parsed.has("http-allow-remote") {
            throw UsageError(
                "--http \(text) would show the fleet to anyone who can reach \(listen.address), without a login; "
                    + "listen on 127.0.0.1 and use ssh -L or a reverse proxy (docs/dashboard.md), "
                    + "or add --http-allow-remote", verb: parsed.verb)
        }
        return listen
    }

    /// Starts the endpoint (failing at once when its port is taken) and the Alertmanager threads.
    static func start(
        listen: (address: String, port: Int)?, allowedHosts: [HTTPHostCheck.Entry], hosts: [Inventory.Host],
        inventory: Inventory, eventLog: EventLogWriter, context: CommandContext
    ) throws(HTTPServerError) -> WatchExports {
        var recorder: FleetMetricsRecorder?
        var endpoint: MetricsEndpoint?
        if let listen {
            let made = FleetMetricsRecorder(hosts: hosts.map { ($0.name, $0.groups) })
            endpoint = try MetricsEndpoint(address: listen.address, port: listen.port, allowedHosts: allowedHosts) {
                made.exposition()
            }
            recorder = made
            context.stderr.write("fleetctl: Prometheus metrics on http://\(listen.address):\(endpoint!.port)/metrics\n")
        }
        let groups = Dictionary(
            hosts.map { ($0.name, $0.groups.joined(separator: ",")) }, uniquingKeysWith: { first, _ in first })
        let alertmanagers = HookRoute.alertmanagerRoutes(for: inventory).map { route in
            (
                route: route,
                dispatcher: AlertmanagerDispatcher(
                    hook: route.hook, groups: groups, eventLog: eventLog,
                    onResult: { result in
                        if let error = result.error {
                            context.stderr.write(
                                "fleetctl: hook \(result.hook): \(result.alerts.count) alert\(result.alerts.count == 1 ? "" : "s") not delivered: \(error)\n"
                            )
                        }
                    })
            )
        }
        return WatchExports(recorder: recorder, endpoint: endpoint, alertmanagers: alertmanagers)
    }

    /// Called with every watch report, on the loop's thread, before the frontend's output.
    func handle(_ report: WatchReport) {
        recorder?.record(report)
        if case .notification(let notification, silencedBy: nil) = report {
            for (route, dispatcher) in alertmanagers where route.matches(notification) {
                dispatcher.enqueue(notification)
            }
        }
    }

    /// Posts what the Alertmanager hooks still hold (one attempt each) and stops serving.
    func finish() {
        for (_, dispatcher) in alertmanagers { dispatcher.finish() }
        endpoint?.stop()
    }
}
