import Detectors
import FleetCore
import Monitoring

/// `fleetctl status`: one concurrent poll of every selected host, with the detectors' verdict
/// on each answer (no hold, no episodes: a snapshot).
public enum FleetStatus {
    /// Polls `hosts` on at most `parallel` threads; rows in target order.
    public static func poll(_ hosts: [MonitoredHost], poller: PeekPoller, parallel: Int) -> [HostRow] {
        WorkerPool.map(hosts, parallel: parallel) { host in
            HostRow(snapshot: poller.poll(host.target, policy: host.policy.detectors), policy: host.policy.detectors)
        }
    }
}
