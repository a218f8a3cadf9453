import Detectors
import FleetCore
import Monitoring
import TestSupport
import XCTest

@testable import FleetControl

/// The dashboard's model and documents: fed watch reports as the loop sends them.
final class DashboardModelTests: XCTestCase {
    private func measured(_ host: String, _ document: JSONValue, at offset: Double = 0) -> HostPoll {
        HostPoll(
            host: host,
            outcome: .measured(
                observation: HostObservation(peek: document, pollerNow: Peek.time(offset)),
                facts: HostFacts(peek: document, polledAt: Peek.time(offset))),
            error: nil, polledAt: Peek.time(offset), latency: .milliseconds(40))
    }

    private func unreachable(_ host: String, at offset: Double) -> HostPoll {
        HostPoll(
            host: host, outcome: .unreachable(Peek.refused), error: "\(host): connection refused",
            polledAt: Peek.time(offset), latency: .milliseconds(5))
    }

    private func model(_ names: [String] = ["pi", "nas"]) -> DashboardModel {
        DashboardModel(hosts: names.map { DashboardHost(name: $0, groups: ["edge"], pollIntervalS: 30) })
    }

    func testAHostNotPolledYetIsWaitingAndMuted() throws {
        let document = DashboardDocument.state(model(), now: Peek.time(0), refreshMS: 5000)
        let hosts = try XCTUnwrap(document["hosts"]?.arrayValue)
        XCTAssertEqual(hosts.map { $0["host"]?.stringValue }, ["pi", "nas"])
        XCTAssertEqual(hosts[0]["reachability"], "waiting")
        XCTAssertEqual(hosts[0]["state"], "muted")
        XCTAssertEqual(hosts[0]["phase"], .string(HumanText.missing))
        XCTAssertEqual(hosts[0]["round"], .null)
        XCTAssertEqual(document["counts"]?["hosts"], 2)
        XCTAssertEqual(document["counts"]?["polled"], 0)
    }

    func testPollsNotificationsAndAnUnreachableHostShowInCountsRowsAndAlerts() throws {
        var model = model()
        var pi = HostMonitor(host: "pi", policy: MonitorPolicy())
        let disk = measured("pi", Peek.document(disk: 97))
        let step = pi.observe(.measured(disk.observation!), at: disk.polledAt)
        model.apply(.polled(disk, pi))
        for notification in step.notifications {
            model.apply(.notification(notification, silencedBy: AlertSilence(id: "s1", reason: "disk swap planned")))
        }
        var nas = HostMonitor(host: "nas", policy: MonitorPolicy(toleranceS: 0))
        let down = unreachable("nas", at: 1)
        _ = nas.observe(.unreachable(Peek.refused), at: down.polledAt)
        model.apply(.polled(down, nas))

        let document = DashboardDocument.state(model, now: Peek.time(65), refreshMS: 5000)
        let counts = try XCTUnwrap(document["counts"])
        XCTAssertEqual(counts["polled"], 2)
        XCTAssertEqual(counts["unreachable"], 1)
        XCTAssertGreaterThanOrEqual(counts["firing_alerts"]?.intValue ?? 0, 2)
        let hosts = try XCTUnwrap(document["hosts"]?.arrayValue)
        XCTAssertEqual(hosts[0]["state"], "bad", "disk at 97% is critical")
        XCTAssertEqual(hosts[0]["disk_text"], "97.0%")
        XCTAssertEqual(hosts[0]["round"], 12)
        XCTAssertEqual(hosts[0]["polled_text"], "1 min ago")
        XCTAssertEqual(hosts[1]["reachability"], "unreachable")
        XCTAssertEqual(hosts[1]["state"], "bad")
        XCTAssertEqual(hosts[1]["error"], "nas: connection refused")
        let alerts = try XCTUnwrap(document["alerts"]?.arrayValue)
        let diskAlert = try XCTUnwrap(alerts.first { $0["detector"] == "disk_critical" })
        XCTAssertEqual(diskAlert["silenced_by"], "s1")
        XCTAssertEqual(diskAlert["url"], "/host/pi")
        XCTAssertTrue(alerts.contains { $0["host"] == "nas" && $0["detector"] == .string(HostMonitor.giveUpDetector) })
        XCTAssertEqual(model.generation, 2 + step.notifications.count)
    }

    func testTheHostDocumentHasRoundsEventsAndHistoriesNewestFirst() throws {
        var model = model(["pi"])
        var pi = HostMonitor(host: "pi", policy: MonitorPolicy())
        let poll = measured("pi", Peek.document(rounds: 40, auth: 1))
        _ = pi.observe(.measured(poll.observation!), at: poll.polledAt)
        model.apply(.polled(poll, pi))
        let unviewed = DashboardDocument.host(try XCTUnwrap(model.host("pi")), now: Peek.time(10), refreshMS: 5000)
        XCTAssertEqual(unviewed["details"], "next_poll", "no page open: the poll's rounds and events were not kept")
        XCTAssertEqual(unviewed["rounds"]?.arrayValue?.count, 0)
        model.keepDetails(of: "pi", until: Double(Peek.epoch) + 120)
        model.apply(.polled(poll, pi))
        let alert = Alert(detector: "oauth_fail", severity: .critical, message: "401 <b>bold</b>", key: "oauth_fail")
        model.apply(
            .notification(
                AlertNotification(host: "pi", alert: alert, state: .firing, since: Peek.time(0), at: Peek.time(0)),
                silencedBy: nil))
        model.apply(.autoStop(host: "pi", alert: alert, .confirmed(elapsed: .seconds(2))))

        let host = try XCTUnwrap(model.host("pi"))
        let document = DashboardDocument.host(host, now: Peek.time(10), refreshMS: 5000)
        XCTAssertEqual(document["details"], "shown")
        let rounds = try XCTUnwrap(document["rounds"]?.arrayValue)
        XCTAssertEqual(rounds.count, DashboardHost.historyLimit, "40 rounds reported, the newest 30 kept")
        XCTAssertEqual(rounds.last?["round"], 40)
        XCTAssertEqual(rounds.last?["outcome"], "failed")
        XCTAssertEqual(rounds.first?["outcome"], "ok")
        XCTAssertEqual(rounds.first?["duration_text"], "30 s")
        let events = try XCTUnwrap(document["events"]?.arrayValue)
        XCTAssertEqual(events.first?["kind"], "round_end")
        XCTAssertEqual(
            events.first?["fields"], [["round_num", "40", ""]], "ts and event are the row's own columns")
        XCTAssertEqual(
            document["alert_history"]?[0]?["message"], "401 <b>bold</b>", "JSON carries text; the page sets it as text")
        XCTAssertEqual(document["auto_stops"]?[0], "auto-stop (oauth_fail): stopped, confirmed after 2 s")

        // Two minutes after the page's last fetch, polls stop keeping them.
        let later = measured("pi", Peek.document(rounds: 40, auth: 1), at: 121)
        model.apply(.polled(later, pi))
        XCTAssertEqual(
            DashboardDocument.host(try XCTUnwrap(model.host("pi")), now: Peek.time(121), refreshMS: 5000)["details"],
            "next_poll")
        XCTAssertEqual(model.host("pi")?.reportedEvents.count, 0)
    }

    func testThrottleHistoryOpensAndClosesEpisodesAndIgnoresUnreachablePolls() {
        var host = DashboardHost(name: "pi", groups: [], pollIntervalS: 30)
        let monitor = HostMonitor(host: "pi", policy: MonitorPolicy())
        func poll(throttled: Bool, at offset: Double) -> HostPoll {
            guard case .object(var document) = Peek.document(at: offset) else { fatalError("a peek is an object") }
            if throttled {
                document["service"] = [
                    "mode": "pid_file", "active": true,
                    "rate_limit": ["throttled_until_epoch": .int(Peek.epoch + 600), "agent": "claude"],
                ]
            }
            return measured("pi", .object(document), at: offset)
        }
        host.apply(poll(throttled: true, at: 0), monitor: monitor)
        host.apply(poll(throttled: true, at: 30), monitor: monitor)
        host.apply(unreachable("pi", at: 60), monitor: monitor)
        XCTAssertEqual(host.throttleHistory.count, 1)
        XCTAssertTrue(host.throttleHistory[0].active, "an unreachable host says nothing about its throttle")
        host.apply(poll(throttled: false, at: 90), monitor: monitor)
        XCTAssertEqual(host.throttleHistory.count, 1)
        XCTAssertFalse(host.throttleHistory[0].active)
        XCTAssertEqual(host.throttleHistory[0].lastSeen, Peek.time(30))
    }

    func testEventValuesAreCutAndDigestsShortenedWithTheFullValueKept() {
        let digest = String(repeating: "ab12", count: 16)
        let event = Event(
            ts: "2026-12-03T07:00:00.000Z", kind: "round_start",
            payload: ["config_digest": .string(digest), "raw": .string(String(repeating: "x", count: 5000))], raw: "")
        let recent = DashboardHost.event(event)
        XCTAssertEqual(recent.fields.map(\.key), ["config_digest", "raw"])
        XCTAssertEqual(recent.fields[1].value.count, DashboardHost.valueLimit)
        XCTAssertEqual(
            DashboardDocument.shortened(recent.fields[0].value), [.string("ab12ab12ab12…"), .string(digest)])
    }

    func testEventFamiliesAreTheHostPagesColours() {
        XCTAssertEqual(DashboardDocument.family("agent_auth_error_detected"), "bad")
        XCTAssertEqual(DashboardDocument.family("transient_error_detected"), "warn")
        XCTAssertEqual(DashboardDocument.family("transient_error_recovered"), "ok")
        XCTAssertEqual(DashboardDocument.family("monitor_started"), "info")
        XCTAssertEqual(DashboardDocument.family("round_start"), "plain")
    }

    func testTheRolloutShownIsTheRunningOneElseARecentOne() throws {
        var running = RolloutJournalTests.journal(id: "20261203-070000", hosts: ["pi", "nas", "nuc"], batch: 5)
        running.record("pi", .healthy)
        running.record("nas", .upgrading)
        running.currentStage = 1
        let shown = try XCTUnwrap(DashboardRollout.current([running], now: Peek.time(0)))
        XCTAssertEqual(shown.target, "0.2.0")
        XCTAssertEqual(shown.stages.map(\.label), ["canary", "batch 1"])
        XCTAssertEqual(shown.stages[1].hosts.map(\.state), ["upgrading", "pending"])
        let json = DashboardDocument.rollout(shown)
        XCTAssertEqual(json["stages"]?[1]?["current"], true)

        var ended = running
        ended.status = .finished
        let created = try XCTUnwrap(EventTimestamp.parse(ended.createdAt))
        XCTAssertNotNil(DashboardRollout.current([ended], now: Seconds.instant(Seconds.epoch(created) + 600)))
        XCTAssertNil(DashboardRollout.current([ended], now: Seconds.instant(Seconds.epoch(created) + 7200)))
        var model = model()
        model.setRollout(shown)
        let generation = model.generation
        model.setRollout(shown)
        XCTAssertEqual(model.generation, generation, "an unchanged rollout is not a new generation")
    }
}
