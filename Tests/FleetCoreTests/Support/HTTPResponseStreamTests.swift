import Foundation
import Glibc
import TestSupport
import XCTest

@testable import FleetCore

/// A server on loopback that answers each connection with the next scripted raw response
/// (whatever bytes, framing errors included), then closes it.
final class RawHTTPServer: @unchecked Sendable {
    // `fd` and `port` are set once in init; the thread only reads `responses`, fixed at init.
    let port: Int
    private let fd: Int32
    private let done = DispatchSemaphore(value: 0)

    init(_ responses: [[UInt8]]) throws {
        (fd, port) = try LoopbackListener.open()
        let listener = fd
        Thread.detachNewThread { [done] in
            for response in responses {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { break }
                LoopbackListener.readHead(client)
                _ = response.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(client)
            }
            done.signal()
        }
    }

    var url: String { "http://127.0.0.1:\(port)/build" }

    func wait() {
        done.wait()
        close(fd)
    }
}

final class HTTPResponseStreamTests: XCTestCase {
    func body(_ response: String) throws -> (status: Int, pieces: [[UInt8]]) {
        let server = try RawHTTPServer([Array(response.utf8)])
        defer { server.wait() }
        let stream = try HTTPClient(timeoutS: 2).open(server.url)
        var pieces: [[UInt8]] = []
        while let piece = try stream.next() { pieces.append(piece) }
        return (stream.status, pieces)
    }

    func text(_ pieces: [[UInt8]]) -> String {
        String(decoding: pieces.flatMap { $0 }, as: UTF8.self)
    }

    func testContentLengthChunkedAndUntilClose() throws {
        let sized = try body("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
        XCTAssertEqual(sized.status, 200)
        XCTAssertEqual(text(sized.pieces), "hello")
        let chunked = try body(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n")
        XCTAssertEqual(text(chunked.pieces), "hello 0123456789")
        let unframed = try body("HTTP/1.0 200 OK\r\n\r\nuntil the server closes")
        XCTAssertEqual(text(unframed.pieces), "until the server closes")
        XCTAssertEqual(try body("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").status, 404)
    }

    func testABodyCutShortIsAnErrorNotAShorterFile() throws {
        XCTAssertThrowsError(try body("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello")) { error in
            XCTAssertEqual((error as? HTTPError)?.message, "the connection closed after 5 of 10 bytes")
        }
        XCTAssertThrowsError(try body("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\nhello")) { error in
            XCTAssertEqual((error as? HTTPError)?.message, "the connection closed inside a chunk after 5 bytes")
        }
        XCTAssertThrowsError(try body("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")) { error in
            XCTAssertEqual((error as? HTTPError)?.message, "a bad chunk size 'zz'")
        }
        XCTAssertThrowsError(try body("HTTP/1.1 200 OK\r\nContent-")) { error in
            XCTAssertEqual((error as? HTTPError)?.message, "no HTTP response header")
        }
    }

    func testALargeBodyComesInPiecesOfAtMost64KiB() throws {
        let payload = (0..<300_000).map { UInt8(truncatingIfNeeded: $0) }
        let server = try RawHTTPServer([Array("HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n".utf8) + payload])
        defer { server.wait() }
        let stream = try HTTPClient(timeoutS: 2).open(server.url)
        XCTAssertEqual(stream.contentLength, 300_000)
        var received: [UInt8] = []
        var largest = 0
        while let piece = try stream.next() {
            largest = max(largest, piece.count)
            received += piece
        }
        XCTAssertEqual(received, payload)
        XCTAssertLessThanOrEqual(largest, 64 << 10)
        XCTAssertEqual(stream.bodyBytesRead, 300_000)
    }

    func testAServerThatNeverAnswersTimesOut() throws {
        let (fd, port) = try LoopbackListener.open()
        defer { close(fd) }
        // The kernel accepts the connection into the backlog; nobody ever reads or writes.
        let url = "http://127.0.0.1:\(port)/build"
        let started = ContinuousClock.now
        XCTAssertThrowsError(try HTTPClient(timeoutS: 0.3).open(url)) { error in
            XCTAssertEqual((error as? HTTPError)?.message, "timed out after 300 ms waiting for the response")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
    }
}
