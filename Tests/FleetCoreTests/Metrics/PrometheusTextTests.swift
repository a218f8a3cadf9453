import XCTest

@testable import FleetCore

final class PrometheusTextTests: XCTestCase {
    func testExpositionFormat() {
        let up = MetricFamily(
            name: "fleet_host_up", help: "1 when the host answered its last poll.", kind: .gauge,
            samples: [
                .init(labels: [.init("host", "pi"), .init("group", "edge")], value: 1),
                .init(labels: [.init("host", "we\"ird\\n\n"), .init("__bad", "x")], value: 0),
            ])
        let latency = MetricFamily.histogram(
            name: "fleet_poll_duration_seconds", help: "Poll latency.", buckets: [0.1, 1],
            series: [(labels: [.init("host", "pi")], observations: [0.05, 0.5, 2])])
        let text = PrometheusText.render([up, latency, MetricFamily(name: "1bad", help: "", kind: .gauge)])
        XCTAssertEqual(
            text,
            """
            # HELP fleet_host_up 1 when the host answered its last poll.
            # TYPE fleet_host_up gauge
            fleet_host_up{host="pi",group="edge"} 1
            fleet_host_up{host="we\\"ird\\\\n\\n"} 0
            # HELP fleet_poll_duration_seconds Poll latency.
            # TYPE fleet_poll_duration_seconds histogram
            fleet_poll_duration_seconds_bucket{host="pi",le="0.1"} 1
            fleet_poll_duration_seconds_bucket{host="pi",le="1"} 2
            fleet_poll_duration_seconds_bucket{host="pi",le="+Inf"} 3
            fleet_poll_duration_seconds_sum{host="pi"} 2.55
            fleet_poll_duration_seconds_count{host="pi"} 3

            """)
        XCTAssertEqual(PrometheusText.number(.infinity), "+Inf")
        XCTAssertEqual(PrometheusText.number(.nan), "NaN")
        XCTAssertEqual(PrometheusText.number(1_764_000_000), "1764000000")
    }
}
