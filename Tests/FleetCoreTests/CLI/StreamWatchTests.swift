import FleetCore
import Glibc
import XCTest

/// The checks a streaming verb makes between polls: the reader of its stdout gone (a closed
/// pipe's POLLERR, a closed descriptor's POLLNVAL), a stop request, SIGHUP; and their exit codes.
final class StreamWatchTests: XCTestCase {
    func testAPipeWhoseReaderClosedIsGoneAndWakesAPauseAtOnce() {
        var ends: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&ends), 0)
        defer { close(ends[1]) }
        let watch = StreamWatch(reader: OutputReader(fd: ends[1]), stop: .isolated())
        XCTAssertFalse(watch.reader.isGone)
        XCTAssertNil(watch.pause(.milliseconds(30)), "a pause with the reader there runs its course")
        close(ends[0])
        let start = ContinuousClock.now
        XCTAssertEqual(watch.pause(.seconds(10)), .readerGone)
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(100), "POLLERR wakes the wait, no tick needed")
        XCTAssertEqual(StreamEnd.readerGone.exitCode, 141)
    }

    func testAClosedDescriptorIsGoneAndAnOutputThatIsNoDescriptorNeverIs() {
        let fd = open("/dev/null", O_WRONLY)
        close(fd)
        XCTAssertTrue(OutputReader(fd: fd).isGone, "POLLNVAL")
        XCTAssertFalse(OutputReader(fd: nil).isGone)
        XCTAssertFalse(OutputReader(fd: nil).waitUntilGone(upTo: .milliseconds(10)))
    }

    func testAStopRequestAndSIGHUPEndTheStreamWithTheirCodes() {
        let stop = StopRequest.isolated()
        let watch = StreamWatch(reader: OutputReader(fd: nil), stop: stop)
        XCTAssertNil(watch.check())
        stop.request(SIGTERM)
        XCTAssertEqual(watch.pause(.seconds(10)), .stopRequested)
        XCTAssertEqual(StreamEnd.stopRequested.exitCode, 0)
        let hungUp = StopRequest.isolated()
        hungUp.request(SIGHUP)
        XCTAssertEqual(StreamWatch(reader: OutputReader(fd: nil), stop: hungUp).check(), .hangUp)
        XCTAssertEqual(StreamEnd.hangUp.exitCode, 129)
        XCTAssertNil(StreamEnd.stopRequested.notice)
    }
}
