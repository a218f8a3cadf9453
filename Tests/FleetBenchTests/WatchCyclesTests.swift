import XCTest

@testable import fleet_bench

final class WatchCyclesTests: XCTestCase {
    func poll(_ host: String, _ at: Double, latency: Double = 0.1) -> PollArrival {
        PollArrival(host: host, at: at, latencyS: latency)
    }

    func testAnsweredByAllWaitsForTheSlowestHost() {
        let arrivals = [poll("a", 1), poll("b", 3), poll("a", 2), poll("a", 4), poll("b", 5)]
        XCTAssertEqual(WatchCycles.answeredByAll(arrivals, count: 1), 3)
        XCTAssertEqual(WatchCycles.answeredByAll(arrivals, count: 2), 5)
        XCTAssertNil(WatchCycles.answeredByAll(arrivals, count: 3))
    }

    func testRoundRunsFromTheEarliestStartToTheLastAnswer() {
        let arrivals = [poll("a", 1, latency: 0.5), poll("b", 3), poll("a", 6), poll("b", 6.5, latency: 1)]
        XCTAssertEqual(WatchCycles.round(1, of: arrivals), WatchCycle(start: 0.5, end: 3, hosts: 2))
        XCTAssertEqual(WatchCycles.round(2, of: arrivals), WatchCycle(start: 5.5, end: 6.5, hosts: 2))
        XCTAssertNil(WatchCycles.round(3, of: arrivals))
    }

    /// A host connected late stays behind: the warm cycles count answers, not rounds.
    func testWarmCyclesAreRunsOfAsManyAnswersAsHosts() {
        var arrivals: [PollArrival] = []
        for step in 0..<9 {
            arrivals.append(poll(["a", "b", "c"][step % 3], Double(step + 1)))
        }
        let cycles = WatchCycles.warm(arrivals, hosts: 3, from: 2, to: 100)
        // From the answer at 2: answers 3, 4, 5 then 6, 7, 8; the 9th starts an incomplete run.
        XCTAssertEqual(
            cycles, [WatchCycle(start: 2, end: 5, hosts: 3), WatchCycle(start: 5, end: 8, hosts: 3)])
        XCTAssertEqual(WatchCycles.warm(arrivals, hosts: 3, from: 2, to: 6.5).count, 1)
    }

    func testFirstFinishedIsTheEarliestLastAnswer() {
        let arrivals = [poll("a", 1), poll("b", 2), poll("a", 3), poll("b", 7)]
        XCTAssertEqual(WatchCycles.firstFinished(arrivals), 3)
    }
}
