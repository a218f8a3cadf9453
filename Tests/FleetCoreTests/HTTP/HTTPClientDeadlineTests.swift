import FleetCore
import Foundation
import Synchronization
import TestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// The client's deadline is for the whole exchange (issue 23): an Alertmanager that drips its
/// answer a byte at a time held `fleetctl watch --once` for 81 s against `timeout_s = 3`,
/// since each byte restarted a per-read timeout.
final class HTTPClientDeadlineTests: XCTestCase {
    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    func testADrippingServerCannotHoldARequestPastTheDeadline() throws {
        let body = String(repeating: "y", count: 500)
        let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        let server = try DrippingHTTPServer(answer: answer, interval: 50_000)  // 27 s for the whole answer
        addTeardownBlock { server.stop() }
        for timeoutS in [0.5, 1.5] {
            let client = HTTPClient(timeoutS: timeoutS)
            for post in [false, true] {
                let started = ContinuousClock.now
                let url = "http://127.0.0.1:\(server.port)/api/v2/alerts"
                XCTAssertThrowsError(try post ? client.post(url, json: Array("[]".utf8)) : client.get(url)) { error in
                    XCTAssertTrue(
                        "\(error)".contains("timed out after \(HumanText.duration(seconds: timeoutS))"), "\(error)")
                }
                let elapsed = seconds(ContinuousClock.now - started)
                XCTAssertGreaterThanOrEqual(elapsed, timeoutS - 0.05, "not before the deadline")
                XCTAssertLessThan(elapsed, timeoutS + 1.0, "the whole exchange within timeout_s and a margin")
            }
        }
    }

    func testAStreamedBodyMustKeepUpAPieceAtATime() throws {
        // The head comes at once; then the body drips: a build download must not hang forever.
        let head = Array("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".utf8)
        let server = try DrippingHTTPServer(answer: head + [UInt8](repeating: 7, count: 1000), interval: 20_000)
        addTeardownBlock { server.stop() }
        let client = HTTPClient(timeoutS: 2)
        let started = ContinuousClock.now
        XCTAssertThrowsError(
            try {
                let stream = try client.open("http://127.0.0.1:\(server.port)/build")
                while try stream.next() != nil {}
            }()
        ) { error in
            XCTAssertTrue("\(error)".contains("timed out after 2 s"), "\(error)")
        }
        let elapsed = seconds(ContinuousClock.now - started)
        XCTAssertLessThan(elapsed, 3, "cut off 2 s into a 64 KiB piece that never completes")
    }

    func testAQuickServerStillAnswersInFull() throws {
        let server = try HTTPServer.listen(port: 0)
        let running = server.start { _ in .html(String(repeating: "z", count: 1 << 20)) }
        addTeardownBlock { running.stop() }
        let response = try HTTPClient(timeoutS: 5).get("http://127.0.0.1:\(server.port)/")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body.count, 1 << 20)
    }
}
