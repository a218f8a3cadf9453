import Detectors
import FleetCore
import Monitoring
import SSHTransport
import Synchronization

/// The watch loop's state as Prometheus sees it: fed from the loop's reports
/// (``record(_:)``, on the loop thread) and rendered for each scrape (``exposition()``, on the
/// HTTP thread). One lock guards a small struct; a scrape copies it and renders outside the
/// lock, so a slow scraper never holds up a poll.
public final class FleetMetricsRecorder: Sendable {
    private struct State {
        var hosts: [String: HostMetricValues] = [:]
        var polls: [String: UInt64] = [:]
        /// host → failure kind → count.
        var sshFailures: [String: [String: UInt64]] = [:]
        var latency = PollDurationHistogram()
    }

    /// Hosts watched, in inventory order, with their `group` label.
    private let watched: [(name: String, group: String)]
    private let groupByHost: [String: String]
    private let state = Mutex(State())

    /// - Parameter hosts: the hosts this process polls (its shard), name → groups.
    public init(hosts: [(name: String, groups: [String])]) {
        watched = hosts.map { ($0.name, $0.groups.joined(separator: ",")) }
        groupByHost = Dictionary(watched.map { ($0.name, $0.group) }, uniquingKeysWith: { first, _ in first })
    }

    /// Applies one watch report; only polls change the exposition.
    public func record(_ report: WatchReport) {
        guard case .polled(let poll, let monitor) = report else { return }
        let group = groupByHost[poll.host] ?? ""
        state.withLock { state in
            var values = state.hosts[poll.host] ?? HostMetricValues(host: poll.host, group: group)
            values.reachable = monitor.reachability == .reachable || monitor.reachability == .unreadable
            values.up = false
            switch poll.outcome {
            case .measured(let observation, let facts):
                values.up = true
                values.read(facts: facts, observation: observation, polledAt: poll.polledAt)
            case .unreachable(let failure):
                state.sshFailures[poll.host, default: [:]][Self.failureKind(failure), default: 0] += 1
            case .unreadable:
                break
            }
            values.firing = monitor.firing.map {
                .init(detector: $0.alert.detector, severity: $0.alert.severity.rawValue)
            }
            state.hosts[poll.host] = values
            state.polls[poll.host, default: 0] += 1
            state.latency.observe(poll.latency.seconds)
        }
    }

    /// The `kind` label of an ssh failure: `timeout` for a poll killed at its deadline, else
    /// the cause ssh's stderr names (``SSHFailureKind``), else `other`.
    public static func failureKind(_ failure: RemoteFailure) -> String {
        if failure.returncode == -1 { return "timeout" }
        return SSHFailureKind.recognised(inStderr: failure.stderrTail)?.rawValue ?? SSHFailureKind.other.rawValue
    }

    /// Every family, hosts in inventory order (hosts not polled yet are left out of per-host series).
    public func families() -> [MetricFamily] {
        let state = self.state.withLock { $0 }
        let hosts = watched.compactMap { state.hosts[$0.name] }
        var families = FleetMetricFamilies.hosts(hosts)
        families.append(
            MetricFamily(
                name: "fleet_host_polls_total", help: "Polls of the host since fleetctl started.", kind: .counter,
                samples: hosts.map { .init(labels: [.init("host", $0.host)], value: Double(state.polls[$0.host] ?? 0)) }
            ))
        var failures = MetricFamily(
            name: "fleet_ssh_failures_total", help: "Polls that could not reach the host, by cause.", kind: .counter)
        for host in hosts {
            for (kind, count) in (state.sshFailures[host.host] ?? [:]).sorted(by: { $0.key < $1.key }) {
                failures.samples.append(
                    .init(labels: [.init("host", host.host), .init("kind", kind)], value: Double(count)))
            }
        }
        families.append(failures)
        families.append(
            state.latency.family(name: "fleet_poll_duration_seconds", help: "Wall time of one poll (ssh + peek)."))
        families.append(
            MetricFamily(
                name: "fleet_hosts", help: "Hosts this fleetctl watches (its shard of the inventory).", kind: .gauge,
                samples: [.init(value: Double(watched.count))]))
        families.append(
            MetricFamily(
                name: "fleet_hosts_unreachable", help: "Watched hosts ssh did not reach at their last poll.",
                kind: .gauge,
                samples: [.init(value: Double(hosts.filter { !$0.reachable }.count))]))
        return families
    }

    /// The text exposition of ``families()``.
    public func exposition() -> String {
        PrometheusText.render(families())
    }
}
