import Detectors
import FleetCore
import Monitoring
import TestSupport
import XCTest

@testable import FleetControl

final class FleetMetricsRecorderTests: XCTestCase {
    private func poll(
        _ host: String, _ outcome: HostPoll.Outcome, at offset: Double = 0, latency: Duration = .milliseconds(120)
    ) -> HostPoll {
        HostPoll(host: host, outcome: outcome, error: nil, polledAt: Peek.time(offset), latency: latency)
    }

    private func measured(_ document: JSONValue, at offset: Double = 0) -> HostPoll.Outcome {
        .measured(
            observation: HostObservation(peek: document, pollerNow: Peek.time(offset)),
            facts: HostFacts(peek: document, polledAt: Peek.time(offset)))
    }

    func testSnapshotOfPolledHosts() {
        let recorder = FleetMetricsRecorder(hosts: [("pi", ["edge", "lab"]), ("nas", []), ("never", [])])
        var pi = HostMonitor(host: "pi", policy: MonitorPolicy())
        let document = Peek.document(disk: 97)
        let piPoll = poll("pi", measured(document))
        _ = pi.observe(.measured(piPoll.observation!), at: piPoll.polledAt)
        recorder.record(.polled(piPoll, pi))
        var nas = HostMonitor(host: "nas", policy: MonitorPolicy(toleranceS: 0))
        let failure = RemoteFailure(returncode: 255, stderrTail: "ssh: connect to host nas port 22: Connection refused")
        _ = nas.observe(.unreachable(failure), at: Peek.time(0))
        recorder.record(.polled(poll("nas", .unreachable(failure), latency: .seconds(3)), nas))
        recorder.record(
            .polled(
                poll(
                    "nas", .unreachable(RemoteFailure(returncode: -1, stderrTail: "no answer")), latency: .seconds(25)),
                nas))

        let text = recorder.exposition()
        for line in [
            #"fleet_host_up{host="pi",group="edge,lab"} 1"#,
            #"fleet_host_up{host="nas",group=""} 0"#,
            #"fleet_host_reachable{host="pi"} 1"#,
            #"fleet_host_reachable{host="nas"} 0"#,
            #"fleet_host_service_running{host="pi"} 1"#,
            #"fleet_host_round{host="pi"} 12"#,
            #"fleet_host_last_exit_code{host="pi"} 0"#,
            #"fleet_host_last_event_age_seconds{host="pi"} 5"#,
            #"fleet_host_disk_used_ratio{host="pi"} 0.97"#,
            #"fleet_host_throttled_until_timestamp_seconds{host="pi"} 0"#,
            #"fleet_host_info{host="pi",version="0.9.0-test"} 1"#,
            #"fleet_alert_firing{host="pi",detector="disk_critical",severity="critical"} 1"#,
            #"fleet_alert_firing{host="nas",detector="monitor_remote_giveup","#,
            #"fleet_host_polls_total{host="nas"} 2"#,
            #"fleet_ssh_failures_total{host="nas",kind="connection_refused"} 1"#,
            #"fleet_ssh_failures_total{host="nas",kind="timeout"} 1"#,
            #"fleet_poll_duration_seconds_bucket{le="0.25"} 1"#,
            #"fleet_poll_duration_seconds_bucket{le="5"} 2"#,
            #"fleet_poll_duration_seconds_bucket{le="+Inf"} 3"#,
            "fleet_poll_duration_seconds_count 3",
            "fleet_hosts 3",
            "fleet_hosts_unreachable 1",
        ] {
            XCTAssertTrue(text.contains(line), "missing \(line) in\n\(text)")
        }
        XCTAssertFalse(text.contains(#"host="never""#), "a host never polled has no per-host series yet")
        XCTAssertFalse(text.contains(#"fleet_host_round{host="nas"}"#), "no facts before the first document")
        XCTAssertTrue(text.contains("# TYPE fleet_ssh_failures_total counter\n"))
        XCTAssertTrue(text.contains("# TYPE fleet_poll_duration_seconds histogram\n"))
    }

    func testFactsSurviveAnUnreachablePollButUpDrops() {
        let recorder = FleetMetricsRecorder(hosts: [("pi", [])])
        let monitor = HostMonitor(host: "pi", policy: MonitorPolicy())
        recorder.record(.polled(poll("pi", measured(Peek.document(rounds: 4))), monitor))
        recorder.record(.polled(poll("pi", .unreadable), monitor))
        let text = recorder.exposition()
        XCTAssertTrue(text.contains(#"fleet_host_up{host="pi",group=""} 0"#))
        XCTAssertTrue(text.contains(#"fleet_host_round{host="pi"} 4"#))
    }

    func testThrottleAndLabelEscaping() {
        var values = HostMetricValues(host: "pi")
        values.read(
            peek: [
                "service": ["rate_limit": ["throttled_until_epoch": 1_795_003_600]],
                "agent_runner_version": "1.0 \"beta\"",
            ],
            polledAt: Peek.time(0))
        let text = PrometheusText.render(FleetMetricFamilies.hosts([values]))
        XCTAssertTrue(text.contains(#"fleet_host_throttled_until_timestamp_seconds{host="pi"} 1795003600"#), text)
        XCTAssertTrue(text.contains(#"fleet_host_info{host="pi",version="1.0 \"beta\""} 1"#), text)
    }

    func testLocalHostFamiliesRunTheDetectors() {
        let text = PrometheusText.render(
            FleetMetricFamilies.localHost(peek: Peek.document(disk: 99), host: "pi", now: Peek.time(0)))
        XCTAssertTrue(text.contains(#"fleet_host_up{host="pi",group=""} 1"#), text)
        XCTAssertTrue(
            text.contains(#"fleet_alert_firing{host="pi",detector="disk_critical",severity="critical"} 1"#), text)
    }

    func testMetricsEndpointRoutesAndListenParsing() {
        XCTAssertEqual(
            MetricsEndpoint.respond(to: HTTPRequest(method: "GET", path: "/metrics")) { "x 1\n" }.body,
            Array("x 1\n".utf8))
        XCTAssertEqual(
            MetricsEndpoint.respond(to: HTTPRequest(method: "GET", path: "/metrics")) { "" }.contentType,
            PrometheusText.contentType)
        XCTAssertEqual(MetricsEndpoint.respond(to: HTTPRequest(method: "GET", path: "/nope")) { "" }.status, 404)
        XCTAssertEqual(MetricsEndpoint.parseListen("127.0.0.1:9464")?.port, 9464)
        XCTAssertEqual(MetricsEndpoint.parseListen(":9464")?.address, "127.0.0.1")
        XCTAssertNil(MetricsEndpoint.parseListen("localhost:9464"))
        XCTAssertNil(MetricsEndpoint.parseListen("127.0.0.1:99999"))
        XCTAssertNil(MetricsEndpoint.parseListen("9464"))
    }

    func testServedOverHTTP() throws {
        let endpoint = try MetricsEndpoint(address: "127.0.0.1", port: 0) { "fleet_hosts 2\n" }
        defer { endpoint.stop() }
        let response = try HTTPClient(timeoutS: 5).get("http://127.0.0.1:\(endpoint.port)/metrics")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "fleet_hosts 2\n")
    }

    func testShardsSplitAFleetStablyAndCompletely() {
        let hosts = (0..<1000).map { "host-\($0)" }
        let shards = (1...4).map { WatchShard(index: $0, count: 4)! }
        for host in hosts {
            XCTAssertEqual(shards.filter { $0.contains(host) }.count, 1, host)
        }
        for shard in shards {
            XCTAssertGreaterThan(hosts.filter { shard.contains($0) }.count, 150, "\(shard) is badly unbalanced")
        }
        XCTAssertEqual(WatchShard.hash(""), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(WatchShard.hash("a"), 0xaf63_dc4c_8601_ec8c, "FNV-1a 64 test vector")
        XCTAssertEqual(WatchShard("2/4"), WatchShard(index: 2, count: 4))
        XCTAssertNil(WatchShard("0/4"))
        XCTAssertNil(WatchShard("5/4"))
        XCTAssertNil(WatchShard("1/0"))
        XCTAssertNil(WatchShard("a/b"))
        XCTAssertTrue(WatchShard("1/1")!.contains("anything"))
    }
}
