import Detectors
import FleetCore
import SSHTransport

/// One host's line in `fleetctl status` and the `watch` table, and its JSON object.
public struct HostRow: Sendable, Equatable {
    public var host: String
    public var reachable: Bool
    /// `reachable`, `blip`, `unreachable` or `unreadable`.
    public var reachability: String
    public var facts: HostFacts?
    /// Detectors firing (status: the detectors' current verdict; watch: episodes firing).
    public var alerts: [String]
    /// Detectors pending (watch only: present, not yet held for `alert_for_s`).
    public var pending: [String]
    /// The worst severity among `alerts`.
    public var worstSeverity: AlertSeverity?
    /// Why the host could not be read.
    public var error: String?
    public var latency: Duration?
    /// The firing alerts behind ``alerts`` (one per detector), for the table's severity and message.
    public var firing: [Alert] = []

    public init(
        host: String, reachable: Bool, reachability: String, facts: HostFacts?, alerts: [String],
        pending: [String] = [],
        worstSeverity: AlertSeverity? = nil, error: String?, latency: Duration? = nil
    ) {
        self.host = host
        self.reachable = reachable
        self.reachability = reachability
        self.facts = facts
        self.alerts = alerts
        self.pending = pending
        self.worstSeverity = worstSeverity
        self.error = error
        self.latency = latency
    }

    /// Unreachable, unreadable, or with a firing alert of warning severity or worse.
    public var isHealthy: Bool {
        reachable && error == nil && (worstSeverity.map { $0 < .warning } ?? true)
    }

    /// `{host, reachable, reachability, service, service_mode, round, phase, last_exit, disk_used_pct,
    /// throttle, version, runner, clock_skew_s, alerts, pending, healthy, error, latency_ms}`.
    public func json() -> JSONObject {
        func optional<T>(_ value: T?, _ wrap: (T) -> JSONValue) -> JSONValue { value.map(wrap) ?? .null }
        var object: JSONObject = [
            "host": .string(host),
            "reachable": .bool(reachable),
            "reachability": .string(reachability),
            "service": optional(facts?.service, JSONValue.string),
            "service_mode": optional(facts?.serviceMode, JSONValue.string),
            "round": optional(facts?.round) { .int(Int64($0)) },
            "phase": optional(facts?.phase, JSONValue.string),
            "last_exit": optional(facts?.lastExit) { .int(Int64($0)) },
            "disk_used_pct": optional(facts?.diskUsedPct, JSONValue.double),
            "throttle": optional(facts?.throttle, JSONValue.string),
            "version": optional(facts?.version, JSONValue.string),
            "runner": optional(facts?.runner, JSONValue.string),
            "clock_skew_s": optional(facts?.clockSkewS) { .double(($0 * 1000).rounded() / 1000) },
            "alerts": .array(alerts.map { .string($0) }),
        ]
        if !pending.isEmpty { object["pending"] = .array(pending.map { .string($0) }) }
        object["healthy"] = .bool(isHealthy)
        object["error"] = optional(error, JSONValue.string)
        object["latency_ms"] = optional(latency) { .int(Int64(($0).seconds * 1000)) }
        return object
    }

    /// The version cell: `0.3.14 (original)` for the original, so the two tools' numbers are not compared.
    public var versionText: String {
        guard let version = facts?.version else { return "-" }
        return facts?.runner == "original" ? version + " (original)" : version
    }

    /// Most characters of one alert's message in the ALERTS cell.
    public static let alertMessageWidth = 60

    /// The ALERTS cell: each firing alert as `[WARN] orphan_chain: 42 consecutive rounds…`, pending
    /// ones in parentheses, else the short reason the host could not be read (the full error is
    /// printed once, under the table).
    public var alertsCell: String {
        var parts: [String] = []
        var shown = Set<String>()
        for alert in firing where shown.insert(alert.detector).inserted {
            parts.append("\(alert.severity.tag) \(alert.detector): \(Self.clip(alert.message, Self.alertMessageWidth))")
        }
        for name in alerts where shown.insert(name).inserted { parts.append(name) }
        var text = parts.joined(separator: "; ")
        if !pending.isEmpty {
            text += (text.isEmpty ? "" : " ") + pending.map { "(\($0))" }.joined(separator: ",")
        }
        if text.isEmpty, let error { text = shortReason(error) }
        return text.isEmpty ? "-" : text
    }

    /// `connection refused`, `name resolution`...: what ssh's error names, else its first words.
    func shortReason(_ error: String) -> String {
        if let kind = SSHFailureKind.recognised(inStderr: error) {
            return kind.rawValue.replacingUnderscores
        }
        return Self.clip(error, 40)
    }

    static func clip(_ text: String, _ width: Int) -> String {
        let line = text.prefix { $0 != "\n" }
        return line.count > width ? String(line.prefix(width - 1)) + "…" : String(line)
    }

    /// The table's cells, in ``StatusTable/headers`` order.
    public var cells: [String] {
        let reach = reachability == "reachable" ? "yes" : reachability
        let alertText = alertsCell
        return [
            host, reach, facts?.service ?? "-", facts?.round.map(String.init) ?? "-", facts?.phase ?? "-",
            facts?.lastExit.map(String.init) ?? "-",
            facts?.diskUsedPct.map { JSONWriter.formatDouble(($0 * 10).rounded() / 10) + "%" } ?? "-",
            facts?.throttle ?? "-", versionText, alertText,
        ]
    }
}

/// Renders rows as an aligned text table.
public enum StatusTable {
    public static let headers = [
        "HOST", "REACH", "SERVICE", "ROUND", "PHASE", "EXIT", "DISK", "THROTTLE", "VERSION", "ALERTS",
    ]

    /// The table, one line per row, each ending in a newline; the last column is cut at `width`
    /// characters per line when given (a terminal's width).
    public static func render(_ rows: [HostRow], width: Int? = nil) -> String {
        let table = [headers] + rows.map(\.cells)
        var widths = Array(repeating: 0, count: headers.count)
        for line in table {
            for (index, cell) in line.enumerated() where index < headers.count - 1 {
                widths[index] = max(widths[index], cell.count)
            }
        }
        var text = ""
        for line in table {
            var rendered = ""
            for (index, cell) in line.enumerated() {
                if index == headers.count - 1 {
                    rendered += cell
                } else {
                    rendered += cell + String(repeating: " ", count: widths[index] - cell.count + 2)
                }
            }
            if let width, rendered.count > width { rendered = String(rendered.prefix(max(1, width - 1))) + "…" }
            text += rendered + "\n"
        }
        return text
    }
}

extension HostRow {
    /// The watch table's row after `poll`: episodes firing and pending from `monitor`.
    public init(poll: HostPoll, monitor: HostMonitor) {
        var seen = Set<String>()
        let firing = monitor.firing.map(\.alert).filter { seen.insert($0.detector).inserted }
        var pendingSeen = Set<String>()
        let pending = monitor.pending.keys.sorted().map { String($0.prefix(while: { $0 != ":" })) }.filter {
            pendingSeen.insert($0).inserted
        }
        self.init(
            host: poll.host, reachable: monitor.reachability != .unreachable && monitor.reachability != .blip,
            reachability: monitor.reachability.rawValue, facts: poll.facts, alerts: firing.map(\.detector),
            pending: pending,
            worstSeverity: firing.map(\.severity).max(), error: poll.error, latency: poll.latency)
        self.firing = firing
    }
}

extension HostRow {
    /// The row of one poll judged on its own (`fleetctl status`): the detectors' verdict on
    /// this answer, no hold, no episodes.
    public init(snapshot poll: HostPoll, policy: DetectorPolicy) {
        switch poll.outcome {
        case .measured(let observation, let facts):
            let report = DetectorSuite.run(observation, policy: policy)
            var seen = Set<String>()
            let names = report.alerts.map(\.detector).filter { seen.insert($0).inserted }
            self.init(
                host: poll.host, reachable: true, reachability: "reachable", facts: facts, alerts: names,
                worstSeverity: report.alerts.map(\.severity).max(), error: nil, latency: poll.latency)
            firing = report.alerts
        case .unreachable:
            self.init(
                host: poll.host, reachable: false, reachability: "unreachable", facts: nil, alerts: [],
                error: poll.error, latency: poll.latency)
        case .unreadable:
            self.init(
                host: poll.host, reachable: true, reachability: "unreadable", facts: nil, alerts: [],
                error: poll.error, latency: poll.latency)
        }
    }
}

extension String {
    fileprivate var replacingUnderscores: String {
        String(map { $0 == "_" ? " " : $0 })
    }
}
