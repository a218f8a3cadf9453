import XCTest

@testable import fleet_bench

final class FleetCostModelTests: XCTestCase {
    func testLineThroughExactPoints() {
        let line = FleetCostModel.line([(0, 10), (100, 160), (200, 310)])
        XCTAssertEqual(line.intercept, 10, accuracy: 1e-9)
        XCTAssertEqual(line.slope, 1.5, accuracy: 1e-9)
    }

    func testLineOfOnePointGoesThroughTheOrigin() {
        XCTAssertEqual(FleetCostModel.line([(50, 100)]).slope, 2)
        XCTAssertEqual(FleetCostModel.line([(50, 100)]).intercept, 0)
    }

    func testFitAndCapacity() {
        // 10 ms CPU per poll, 2 MiB per host over 20 MiB, 5 ms per host of cycle.
        let samples = [100, 500].map { hosts in
            FleetCostModel.Sample(
                hosts: hosts, operatorCPUS: Double(hosts) * 0.010, operatorMiB: 20 + 2 * Double(hosts),
                cycleS: 0.1 + 0.005 * Double(hosts))
        }
        let model = FleetCostModel.fit(samples)
        XCTAssertEqual(model.cpuMsPerPoll, 10, accuracy: 1e-9)
        XCTAssertEqual(model.mibPerHost, 2, accuracy: 1e-9)
        XCTAssertEqual(model.fixedMiB, 20, accuracy: 1e-9)
        let capacity = model.capacity(intervalS: 30, cores: 2, memoryMiB: 4096)
        XCTAssertEqual(capacity.byCPU, 3000)  // 30 s × 2 cores × 0.5 / 10 ms
        XCTAssertEqual(capacity.byMemory, 2038)  // (4096 − 20) / 2
        XCTAssertEqual(capacity.byCycle, 2980)  // (15 s − 0.1 s) / 5 ms
        XCTAssertEqual(capacity.hosts, 2038)
    }

    func testShards() {
        XCTAssertEqual(FleetCostModel.shards(for: 10_000, perShard: 2038), 5)
        XCTAssertEqual(FleetCostModel.shards(for: 100, perShard: 2038), 1)
        XCTAssertEqual(FleetCostModel.shards(for: 4076, perShard: 2038), 2)
    }
}
