import Detectors
import FleetCore

/// `fleetctl status`: one concurrent poll of every selected host, with the detectors' verdict
/// on each answer (no hold, no episodes: a snapshot).
public enum FleetStatus {
    /// The row of one poll.
    public static func row(for poll: HostPoll, policy: Inventory.DetectorPolicy) -> HostRow {
        switch poll.outcome {
        case .measured(_, let facts):
            let report = DetectorSuite.run(poll.observation!, policy: policy)
            var seen = Set<String>()
            let names = report.alerts.map(\.detector).filter { seen.insert($0).inserted }
            return HostRow(host: poll.host, reachable: true, reachability: "reachable", facts: facts, alerts: names,
                           worstSeverity: report.alerts.map(\.severity).max(), error: nil, latency: poll.latency)
        case .unreachable:
            return HostRow(host: poll.host, reachable: false, reachability: "unreachable", facts: nil, alerts: [], error: poll.error, latency: poll.latency)
        case .unreadable:
            return HostRow(host: poll.host, reachable: true, reachability: "unreadable", facts: nil, alerts: [], error: poll.error, latency: poll.latency)
        }
    }

    /// Polls `targets` on at most `parallel` threads; rows in target order.
    public static func poll(_ targets: [PollTarget], poller: PeekPoller, parallel: Int) -> [HostRow] {
        WorkerPool.map(targets, parallel: parallel) { target in
            row(for: poller.poll(target), policy: target.settings.detectors)
        }
    }
}
