import FleetCore
import Glibc
import XCTest

/// `.pipe` stdout: read while the child runs (a stream that never ends by itself, such as a
/// remote `events --tail`), past a pipe buffer's worth, and closed early.
final class ReadablePipeTests: XCTestCase {
    func read(_ pipe: ReadablePipe, until deadline: ContinuousClock.Instant = .now + .seconds(10)) -> [UInt8] {
        var bytes: [UInt8] = []
        while ContinuousClock.now < deadline {
            switch pipe.read(waitingUpTo: .milliseconds(100)) {
            case .bytes(let chunk): bytes += chunk
            case .nothingYet: continue
            case .endOfFile: return bytes
            }
        }
        XCTFail("no end of file within 10 s")
        return bytes
    }

    func testOutputArrivesWhileTheChildRunsThenEndOfFile() throws {
        let child = try PosixProcessRunner().spawn(
            ProcessRequest(
                "/bin/sh", arguments: ["-c", "echo a; sleep 0.5; echo b"],
                standardOutput: .pipe))
        let pipe = try XCTUnwrap(child.standardOutputPipe)
        let start = ContinuousClock.now
        var first: ReadablePipe.Chunk = .nothingYet
        while first == .nothingYet && ContinuousClock.now - start < .seconds(5) {
            first = pipe.read(waitingUpTo: .milliseconds(50))
        }
        XCTAssertEqual(first, .bytes(Array("a\n".utf8)))
        XCTAssertNil(child.poll(), "the first line came while the child still ran")
        XCTAssertEqual(read(pipe), Array("b\n".utf8))
        XCTAssertEqual(child.wait(), .terminated(0))
        XCTAssertEqual(pipe.read(waitingUpTo: .zero), .endOfFile)
    }

    func testMoreThanAPipeBufferAndAnEarlyClose() throws {
        let big = try PosixProcessRunner().spawn(
            ProcessRequest("/bin/sh", arguments: ["-c", "yes | head -c 1000000"], standardOutput: .pipe))
        XCTAssertEqual(read(try XCTUnwrap(big.standardOutputPipe)).count, 1_000_000)
        XCTAssertEqual(big.wait(), .terminated(0))

        let endless = try PosixProcessRunner().spawn(ProcessRequest("yes", standardOutput: .pipe))
        let pipe = try XCTUnwrap(endless.standardOutputPipe)
        guard case .bytes = pipe.read(waitingUpTo: .seconds(5)) else { return XCTFail("yes printed nothing") }
        pipe.close()
        XCTAssertEqual(
            endless.wait(), .signalled(SIGPIPE), "a child writing to a closed pipe gets SIGPIPE (default disposition)")
        XCTAssertEqual(pipe.read(waitingUpTo: .seconds(1)), .endOfFile)
    }

    func testOnlyStandardOutputCanBeAPipe() {
        XCTAssertThrowsError(try PosixProcessRunner().spawn(ProcessRequest("true", standardError: .pipe))) { error in
            XCTAssertEqual((error as? ProcessError)?.kind, .invalidRequest)
            XCTAssertTrue("\(error)".contains("only standard output can be a pipe"), "\(error)")
        }
        XCTAssertNil(try PosixProcessRunner().spawn(ProcessRequest("true")).standardOutputPipe)
    }
}
