import Detectors
import FleetCore

/// The metric families of a fleet (or of one host, for `agent-runner metrics`): names, help
/// and types in one place, so both exporters agree. Base units and `_total` counters, as
/// Prometheus' naming conventions ask; one series per host and fact, no per-poll labels.
public enum FleetMetricFamilies {
    /// The per-host families, hosts in the order given.
    public static func hosts(_ hosts: [HostMetricValues]) -> [MetricFamily] {
        func gauge(_ name: String, _ help: String, _ value: (HostMetricValues) -> Double?) -> MetricFamily {
            MetricFamily(
                name: name, help: help, kind: .gauge,
                samples: hosts.compactMap { host in
                    value(host).map { MetricFamily.Sample(labels: [.init("host", host.host)], value: $0) }
                })
        }
        func flag(_ value: Bool) -> Double { value ? 1 : 0 }
        var families: [MetricFamily] = [
            MetricFamily(
                name: "fleet_host_up", help: "1 when the last poll read the host's peek document, else 0.",
                kind: .gauge,
                samples: hosts.map {
                    .init(labels: [.init("host", $0.host), .init("group", $0.group)], value: flag($0.up))
                }),
            gauge(
                "fleet_host_reachable", "1 when ssh reached the host at the last poll, 0 while it blips or is given up."
            ) { flag($0.reachable) },
            gauge(
                "fleet_host_service_running", "1 when the host's agent-runner service is active (last document read)."
            ) { $0.serviceRunning.map(flag) },
            gauge("fleet_host_round", "The host's current or last round number.") { $0.round.map(Double.init) },
            gauge("fleet_host_last_exit_code", "Exit code of the host's last finished round.") {
                $0.lastExitCode.map(Double.init)
            },
            gauge(
                "fleet_host_last_event_age_seconds",
                "Seconds between the host's newest event and its document, on the host's clock."
            ) { $0.lastEventAgeS },
            gauge("fleet_host_disk_used_ratio", "Used fraction (0..1) of the disk holding the host's work directory.") {
                $0.diskUsedRatio
            },
            gauge(
                "fleet_host_throttled_until_timestamp_seconds",
                "Unix time the host's agent is rate-limited until; 0 when not throttled."
            ) { $0.throttledUntil },
            gauge(
                "fleet_host_last_success_timestamp_seconds",
                "Unix time (poller clock) of the last poll that read the host's document."
            ) { $0.lastSuccess },
            MetricFamily(
                name: "fleet_host_info", help: "Always 1; the host's agent-runner version as a label.", kind: .gauge,
                samples: hosts.compactMap { host in
                    host.version.map { .init(labels: [.init("host", host.host), .init("version", $0)], value: 1) }
                }),
        ]
        var firing = MetricFamily(
            name: "fleet_alert_firing", help: "Alert episodes firing, by host, detector and severity.", kind: .gauge)
        for host in hosts {
            var counts: [HostMetricValues.FiringAlert: Int] = [:]
            var order: [HostMetricValues.FiringAlert] = []
            for alert in host.firing {
                if counts[alert] == nil { order.append(alert) }
                counts[alert, default: 0] += 1
            }
            for alert in order {
                firing.samples.append(
                    .init(
                        labels: [
                            .init("host", host.host), .init("detector", alert.detector),
                            .init("severity", alert.severity),
                        ],
                        value: Double(counts[alert]!)))
            }
        }
        families.append(firing)
        return families
    }
}

extension FleetMetricFamilies {
    /// `agent-runner metrics`: the per-host families of this host's own peek document, for
    /// node_exporter's textfile collector. `fleet_alert_firing` holds the detectors that find
    /// something now (with default thresholds; no hold, no episodes: that is fleetctl's job).
    public static func localHost(
        peek document: JSONValue, host: String, group: String = "", now: UTCInstant
    ) -> [MetricFamily] {
        var values = HostMetricValues(host: host, group: group, up: true, reachable: true)
        values.read(peek: document, polledAt: now)
        let report = DetectorSuite.standard.run(
            HostObservation(peek: document, pollerNow: now), settings: DetectorSettings())
        values.firing = report.alerts.map { .init(detector: $0.detector, severity: $0.severity.rawValue) }
        return hosts([values])
    }
}
