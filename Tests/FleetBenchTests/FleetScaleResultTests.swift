import XCTest

@testable import fleet_bench

final class FleetScaleResultTests: XCTestCase {
    /// Two hosts polled in turn every 0.5 s; per answer fleetctl burns 10 ms, its clients 20, sshd 30.
    func run(
        rssKiB: (Int) -> Int = { _ in 20_480 }, descriptors: (Int) -> Int = { _ in 12 },
        strayChildren: (Int) -> Int = { _ in 0 }
    ) -> FleetWatchRun {
        var run = FleetWatchRun()
        for step in 0..<40 {
            run.arrivals.append(PollArrival(host: step % 2 == 0 ? "a" : "b", at: Double(step + 1) * 0.5, latencyS: 0.1))
        }
        for step in 0..<41 {
            let answered = step  // samples at 0, 0.5, … just before each answer
            run.samples.append(
                FleetWatchRun.Sample(
                    at: Double(step) * 0.5 + 0.25, fleetctlCPU: 0.01 * Double(answered),
                    clientCPU: 0.02 * Double(answered), fleetctlRSSKiB: rssKiB(step),
                    fleetctlDescriptors: descriptors(step), children: 1, strayChildren: strayChildren(step), masters: 2,
                    masterCPU: 0,
                    masterRSSKiB: 8192, sshdCPU: 0.03 * Double(answered), benchCPU: 0))
        }
        return run
    }

    func testReducesCyclesAndCPUPerCycle() {
        let result = FleetScaleResult(run: run(), hosts: 2)
        XCTAssertEqual(result.coldCycleS, 1)  // both answered once at 1 s
        XCTAssertEqual(result.warmFrom, 2)
        XCTAssertEqual(result.warm.median, 1, accuracy: 1e-9)  // two answers per second
        XCTAssertEqual(result.coverage, 1)
        // Per answer: 1 tick fleetctl, 2 mux clients, 3 sshd → per 2-host cycle 0.02, 0.04, 0.06 s.
        XCTAssertEqual(result.fleetctlCPUS, 0.02, accuracy: 1e-9)
        XCTAssertEqual(result.muxClientCPUS, 0.04, accuracy: 1e-9)
        XCTAssertEqual(result.sshdCPUS, 0.06, accuracy: 1e-9)
        XCTAssertEqual(result.operatorCPUS, 0.06, accuracy: 1e-9)
        XCTAssertEqual(result.fleetctlRSSMiB, 20)
        XCTAssertEqual(result.masterRSSMiB, 8)
        XCTAssertTrue(result.soak.isFlat)
    }

    /// A child caught between its exit and its reaping now and then is not a leak; one more each
    /// cycle is.
    func testStrayChildrenNowAndThenAreFlatButGrowingOnesAreNot() {
        XCTAssertTrue(FleetScaleResult(run: run(strayChildren: { $0 % 7 == 0 ? 4 : 0 }), hosts: 2).soak.isFlat)
        XCTAssertFalse(FleetScaleResult(run: run(strayChildren: { $0 }), hosts: 2).soak.isFlat)
    }

    func testGrowingDescriptorsOrMemoryAreNotFlat() {
        XCTAssertFalse(FleetScaleResult(run: run(descriptors: { 12 + $0 }), hosts: 2).soak.isFlat)
        XCTAssertFalse(FleetScaleResult(run: run(rssKiB: { 20_480 + 200 * $0 }), hosts: 2).soak.isFlat)
    }
}
