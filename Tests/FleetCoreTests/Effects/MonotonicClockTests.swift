import Dispatch
import FleetCore
import TestSupport
import XCTest

final class MonotonicClockTests: XCTestCase {
    func testTheSystemClockWakesWhenTheEventIsSignalled() {
        let clock = SystemMonotonicClock()
        let event = DispatchSemaphore(value: 0)
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) { event.signal() }
        let start = clock.now
        XCTAssertTrue(clock.sleep(until: start + .seconds(10), wakingFor: event))
        XCTAssertLessThan(clock.now - start, .seconds(5), "woken by the event, not the deadline")
        XCTAssertFalse(clock.sleep(until: clock.now + .milliseconds(10), wakingFor: event), "the signal was consumed")
    }

    func testAFakeClockJumpsUnlessTheEventCameAlready() {
        let clock = FakeClock()
        let event = DispatchSemaphore(value: 0)
        XCTAssertFalse(clock.sleep(until: clock.now + .milliseconds(200), wakingFor: event))
        event.signal()
        XCTAssertTrue(clock.sleep(until: clock.now + .milliseconds(200), wakingFor: event))
        XCTAssertEqual(clock.sleeps, [.milliseconds(200)])
    }
}

final class StopRequestTests: XCTestCase {
    func testAnIsolatedRequestStopsOnlyItsOwnCopies() {
        let stop = StopRequest.isolated()
        let copy = stop
        XCTAssertFalse(copy.isRequested)
        stop.request(SIGINT)
        XCTAssertTrue(copy.isRequested)
        XCTAssertEqual(copy.signalNumber, SIGINT)
        XCTAssertFalse(StopRequest.isolated().isRequested)
    }
}
