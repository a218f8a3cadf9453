import FleetCore

/// An alert the host's own monitor recorded in the host's event log and that still holds.
///
/// The original 0.3.x runs its own `agent-runner monitor` beside serve (the monitor unit), which
/// writes `monitor_alert_emitted {detector, severity, message, auto_action}` and no resolution.
/// Its transcript-based verdicts (oauth_fail, network_fail) see every round's log, where fleetctl
/// fetches at most one transcript per poll; so for an original host fleetctl also takes the
/// host's word, for as long as nothing has gone right since: the report holds until a round
/// exits 0 after it. A record with a `host` is a relay's record of another host and is ignored.
struct HostMonitorReport: Equatable {
    var ts: String
    var message: String

    /// The newest still-holding report of `detector`, on an original host only.
    static func current(_ observation: HostObservation, detector: String) -> HostMonitorReport? {
        guard observation.producer.isOriginal else { return nil }
        let events = observation.events
        let reports = observation.eventIndex.positions(of: .monitorOwn).filter { position in
            let event = events[position]
            return event.kind == "monitor_alert_emitted" && HostValue.string(event.payload["detector"]) == detector
                && (event.payload["host"] ?? .null) == .null
        }
        guard let newest = reports.last else { return nil }
        for position in events.indices where position > newest && events[position].kind == "agent_exit" {
            if HostValue.int(events[position].payload["exit_code"], in: -1_000_000...1_000_000) == 0 { return nil }
        }
        let event = events[newest]
        let message = HostValue.string(event.payload["message"]) ?? ""
        return HostMonitorReport(ts: HostText.clip(event.ts), message: HostText.clip(message))
    }

    /// `{reported_by, reported_at}` for the alert's context.
    var context: JSONObject {
        ["reported_by": "host_monitor", "reported_at": .string(ts)]
    }
}
