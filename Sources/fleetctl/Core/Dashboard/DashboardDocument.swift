import Detectors
import FleetCore
import Monitoring

/// The dashboard's JSON documents: `/api/state` (the overview) and `/api/host/NAME` (one
/// host's page). The page's script renders them with `textContent` only, so every string here
/// (host names, payloads, messages: text remote hosts control) reaches the screen as text.
///
/// Values come twice where a page both sorts and shows them: raw (`round`, `disk_used_pct`,
/// `polled_at` as Unix seconds) and as ``HumanText`` (`*_text`), so the script formats nothing
/// and the two pages read the same as the terminal.
public enum DashboardDocument {
    /// `/api/state`.
    public static func state(_ model: DashboardModel, now: UTCInstant, refreshMS: Int) -> JSONValue {
        let nowS = Seconds.epoch(now)
        let counts = model.counts
        var alerts: [JSONValue] = []
        for host in model.hosts {
            for firing in host.firing {
                alerts.append(.object(alert(firing, host: host.name, now: nowS)))
            }
        }
        alerts.sort { ($0["since"]?.doubleValue ?? 0) < ($1["since"]?.doubleValue ?? 0) }
        return .object([
            "generated_at": .double(nowS),
            "generated_text": .string(HumanText.time(epochSeconds: nowS)),
            "generation": .int(Int64(model.generation)),
            "refresh_ms": .int(Int64(refreshMS)),
            "counts": .object([
                "hosts": .int(Int64(counts.hosts)),
                "polled": .int(Int64(counts.polled)),
                "unreachable": .int(Int64(counts.unreachable + counts.unreadable)),
                "blip": .int(Int64(counts.blip)),
                "firing_alerts": .int(Int64(counts.firingAlerts)),
                "silenced_alerts": .int(Int64(counts.silencedAlerts)),
                "throttled": .int(Int64(counts.throttled)),
                "stopped": .int(Int64(counts.stopped)),
            ]),
            "hosts": .array(model.hosts.map { .object(row($0, now: nowS)) }),
            "alerts": .array(alerts),
            "rollout": model.rollout.map(rollout) ?? .null,
        ])
    }

    /// `/api/host/NAME`: the overview's row plus the host's histories.
    public static func host(_ host: DashboardHost, now: UTCInstant, refreshMS: Int) -> JSONValue {
        let nowS = Seconds.epoch(now)
        return .object([
            "generated_at": .double(nowS),
            "generated_text": .string(HumanText.time(epochSeconds: nowS)),
            "refresh_ms": .int(Int64(refreshMS)),
            "host": .object(row(host, now: nowS)),
            "poll_interval_text": .string(HumanText.duration(seconds: host.pollIntervalS)),
            "firing": .array(host.firing.map { .object(alert($0, host: host.name, now: nowS)) }),
            "details": .string(host.hasDetails ? "shown" : "next_poll"),
            "rounds": .array(host.recentRounds.map(round)),
            "events": .array(host.recentEvents.reversed().map { event($0, now: nowS) }),
            "alert_history": .array(host.alertHistory.reversed().map { entry($0, now: nowS) }),
            "throttle_history": .array(host.throttleHistory.reversed().map { throttle($0, now: nowS) }),
            "auto_stops": .array(host.autoStops.reversed().map { .string($0) }),
        ])
    }

    /// The overview's row of `host`.
    static func row(_ host: DashboardHost, now: Double) -> JSONObject {
        let row = host.row
        let facts = row?.facts
        let polledAt = host.polledAt.map(Seconds.epoch)
        var alertsText = (row?.alerts ?? []).joined(separator: ", ")
        if let pending = row?.pending, !pending.isEmpty {
            alertsText += (alertsText.isEmpty ? "" : " ") + pending.map { "(\($0))" }.joined(separator: ", ")
        }
        return [
            "host": .string(host.name),
            "url": .string(DashboardPaths.hostPage(host.name)),
            "groups": .array(host.groups.map { .string($0) }),
            "state": .string(host.state.rawValue),
            "reachability": row.map { .string($0.reachability) } ?? "waiting",
            "service": .string(facts?.service ?? HumanText.missing),
            "round": facts?.round.map { .int(Int64($0)) } ?? .null,
            "phase": .string(facts?.phase ?? HumanText.missing),
            "last_exit": facts?.lastExit.map { .int(Int64($0)) } ?? .null,
            "disk_used_pct": facts?.diskUsedPct.map(JSONValue.double) ?? .null,
            "disk_text": .string(HumanText.percent(facts?.diskUsedPct)),
            "throttle": .string(facts?.throttle ?? HumanText.missing),
            "version": .string(row.map(\.versionText).map { $0 == "-" ? HumanText.missing : $0 } ?? HumanText.missing),
            "alerts": .array((row?.alerts ?? []).map { .string($0) }),
            "pending": .array((row?.pending ?? []).map { .string($0) }),
            "alerts_text": .string(
                alertsText.isEmpty ? (row?.error.map { "error: " + $0 } ?? HumanText.missing) : alertsText),
            "error": row?.error.map { .string($0) } ?? .null,
            "latency_ms": row?.latency.map { .int(Int64($0.seconds * 1000)) } ?? .null,
            "polled_at": polledAt.map(JSONValue.double) ?? .null,
            "polled_text": .string(HumanText.age(epochSeconds: polledAt, now: now)),
            "polls": .int(Int64(host.polls)),
        ]
    }

    static func alert(_ firing: DashboardHost.FiringAlert, host: String, now: Double) -> JSONObject {
        let since = Seconds.epoch(firing.since)
        return [
            "host": .string(host),
            "url": .string(DashboardPaths.hostPage(host)),
            "detector": .string(firing.alert.detector),
            "severity": .string(firing.alert.severity.rawValue),
            "message": .string(DashboardHost.cut(firing.alert.message)),
            "since": .double(since),
            "since_text": .string(HumanText.time(epochSeconds: since)),
            "age_text": .string(HumanText.age(epochSeconds: since, now: now)),
            "silenced_by": firing.silencedBy.map { .string($0) } ?? .null,
        ]
    }

    static func round(_ round: DashboardHost.Round) -> JSONValue {
        .object([
            "round": .int(Int64(round.number)),
            "phase": .string(round.phase ?? HumanText.missing),
            "started_text": .string(
                round.startedAt.flatMap(EventTimestamp.parse).map { HumanText.time(epochSeconds: Seconds.epoch($0)) }
                    ?? HumanText.missing),
            "duration_s": round.durationS.map(JSONValue.double) ?? .null,
            "duration_text": .string(HumanText.duration(seconds: round.durationS)),
            "exit_code": round.exitCode.map { .int(Int64($0)) } ?? .null,
            "outcome": .string(round.outcome),
        ])
    }

    static func event(_ event: DashboardHost.RecentEvent, now: Double) -> JSONValue {
        let at = EventTimestamp.parse(event.ts).map(Seconds.epoch)
        return .object([
            "ts": .string(event.ts),
            "time_text": .string(HumanText.time(epochSeconds: at)),
            "age_text": .string(HumanText.age(epochSeconds: at, now: now)),
            "kind": .string(event.kind),
            "family": .string(family(event.kind)),
            "fields": .array(event.fields.map { .array([.string($0.key)] + shortened($0.value)) }),
        ])
    }

    static func entry(_ entry: DashboardHost.AlertEntry, now: Double) -> JSONValue {
        let at = Seconds.epoch(entry.at)
        return .object([
            "time_text": .string(HumanText.time(epochSeconds: at)),
            "age_text": .string(HumanText.age(epochSeconds: at, now: now)),
            "detector": .string(entry.detector),
            "severity": .string(entry.severity.rawValue),
            "state": .string(entry.state),
            "message": .string(entry.message),
            "silenced_by": entry.silencedBy.map { .string($0) } ?? .null,
        ])
    }

    static func throttle(_ entry: DashboardHost.ThrottleEntry, now: Double) -> JSONValue {
        .object([
            "text": .string(entry.text),
            "first_seen_text": .string(HumanText.time(epochSeconds: Seconds.epoch(entry.firstSeen))),
            "last_seen_text": .string(HumanText.age(epochSeconds: Seconds.epoch(entry.lastSeen), now: now)),
            "active": .bool(entry.active),
        ])
    }

    static func rollout(_ rollout: DashboardRollout) -> JSONValue {
        .object([
            "id": .string(rollout.id),
            "verb": .string(rollout.verb),
            "target": .string(rollout.target),
            "status": .string(rollout.status),
            "created_at": .string(rollout.createdAt),
            "current_stage": .int(Int64(rollout.currentStage)),
            "stages": .array(
                rollout.stages.enumerated().map { index, stage in
                    .object([
                        "label": .string(stage.label),
                        "current": .bool(index == rollout.currentStage && rollout.status == "running"),
                        "hosts": .array(
                            stage.hosts.map {
                                .object([
                                    "host": .string($0.host), "state": .string($0.state),
                                    "note": $0.note.map { .string($0) } ?? .null,
                                ])
                            }),
                    ])
                }),
        ])
    }

    /// `[shown, full]`: long hex ids (digests, git heads) cut to 12 digits for reading, the
    /// whole value kept for the page's tooltip (`full` is "" when nothing was cut).
    static func shortened(_ value: String) -> [JSONValue] {
        let pieces = DigestAbbreviation.pieces(value)
        guard pieces.contains(where: { if case .digest = $0 { true } else { false } }) else {
            return [.string(value), ""]
        }
        let shown = pieces.map { piece -> String in
            switch piece {
            case .text(let text): text
            case .digest(_, let short): short
            }
        }.joined()
        return [.string(shown), .string(value)]
    }

    /// The colour family of an event kind (``EventKindFamily``, the table the host's own page
    /// uses too): `bad`, `warn`, `ok`, `info`, or `plain` for a neutral kind.
    public static func family(_ kind: String) -> String {
        EventKindFamily.state(of: kind)?.rawValue ?? "plain"
    }
}
