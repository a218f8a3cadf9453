import FleetCore
import Synchronization
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// The server's defenses, over real sockets: what it answers to requests a browser would not
/// send (other methods, oversized heads, garbage) and to more requests than it has workers for.
final class HTTPServerTests: XCTestCase {
    private func start(
        workers: Int = 1, handler: @escaping @Sendable (HTTPRequest) -> HTTPServerResponse = { _ in .html("<p>ok</p>") }
    ) throws -> HTTPServing {
        let running = try HTTPServer.listen(port: 0).start(workers: workers, handler: handler)
        addTeardownBlock { running.stop() }
        return running
    }

    /// Connects and sends `bytes` raw; the caller reads the answer (``answer(_:)``) and closes.
    private func open(_ port: Int, _ bytes: [UInt8]) -> Int32 {
        let fd = HTTPServerSlowClientTests.connect(port)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return fd
    }

    /// Everything the server answered on `fd` before closing it.
    private func answer(_ fd: Int32) -> String {
        HTTPServerSlowClientTests.answer(fd)
    }

    /// Sends `bytes` raw and returns everything the server answered before closing.
    private func exchange(_ port: Int, _ bytes: [UInt8]) throws -> String {
        let fd = open(port, bytes)
        defer { close(fd) }
        return answer(fd)
    }

    func testEveryResponseCarriesTheStrictPolicyAndHeadHasNoBody() throws {
        let running = try start()
        let get = try exchange(running.server.port, Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        XCTAssertTrue(get.hasPrefix("HTTP/1.1 200 OK\r\n"), get)
        XCTAssertTrue(get.contains("\r\nContent-Security-Policy: \(HTTPServerResponse.contentSecurityPolicy)\r\n"))
        XCTAssertTrue(get.contains("\r\nContent-Type: text/html; charset=utf-8\r\n"))
        XCTAssertTrue(get.contains("\r\nX-Frame-Options: DENY\r\n"))
        XCTAssertTrue(get.hasSuffix("\r\n\r\n<p>ok</p>"), get)
        let head = try exchange(running.server.port, Array("HEAD / HTTP/1.1\r\n\r\n".utf8))
        XCTAssertTrue(head.contains("Content-Length: 9\r\n"), head)
        XCTAssertTrue(head.hasSuffix("\r\n\r\n"), "HEAD answers the headers only: \(head)")
    }

    func testOtherMethodsAreRefusedBeforeTheHandlerRuns() throws {
        let called = Mutex(0)
        let running = try start { _ in
            called.withLock { $0 += 1 }
            return .html("")
        }
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            let answer = try exchange(
                running.server.port, Array("\(method) / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde".utf8))
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"), "\(method): \(answer)")
            XCTAssertTrue(answer.contains("\r\nAllow: GET, HEAD\r\n"), answer)
        }
        XCTAssertEqual(called.withLock { $0 }, 0)
    }

    func testAnOversizedHeadIs431AndGarbageIs400() throws {
        let running = try start()
        let huge = "GET / HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: HTTPServer.maxHeadBytes) + "\r\n\r\n"
        XCTAssertTrue(
            try exchange(running.server.port, Array(huge.utf8)).hasPrefix(
                "HTTP/1.1 431 Request Header Fields Too Large"))
        XCTAssertTrue(
            try exchange(running.server.port, Array("\u{1}\u{2}garbage\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 400"))
    }

    func testQueryStringsAreKeptAndDecoded() throws {
        let request = try XCTUnwrap(
            HTTPRequest.parse(head: Array("GET /api/state?host=pi%2F2&q=a+b&bad=%zz HTTP/1.1\r\n\r\n".utf8)))
        XCTAssertEqual(request.path, "/api/state")
        XCTAssertEqual(request.queryValue("host"), "pi/2")
        XCTAssertEqual(request.queryValue("q"), "a b")
        XCTAssertNil(request.queryValue("bad"), "a malformed escape is no value")
        XCTAssertNil(request.queryValue("missing"))
    }

    func testASlowHandlerDoesNotHoldUpTheOtherWorkersAndAFloodIsAnswered503() throws {
        let release = Mutex(false)
        let slowRunning = Mutex(0)
        let running = try start(workers: 2) { request in
            if request.path == "/slow" {
                slowRunning.withLock { $0 += 1 }
                while !release.withLock({ $0 }) { usleep(2_000) }
            }
            return .html("done")
        }
        let port = running.server.port
        var slow = [open(port, Array("GET /slow HTTP/1.1\r\n\r\n".utf8))]
        while slowRunning.withLock({ $0 }) < 1 { usleep(2_000) }
        XCTAssertTrue(try exchange(port, Array("GET /fast HTTP/1.1\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 200"))

        // Both workers held and the queue (workers × 4 = 8) filled: connections are accepted in
        // the order they were made, so the next one is answered 503 at once.
        slow.append(open(port, Array("GET /slow HTTP/1.1\r\n\r\n".utf8)))
        while slowRunning.withLock({ $0 }) < 2 { usleep(2_000) }
        for _ in 0..<8 { slow.append(open(port, Array("GET /slow HTTP/1.1\r\n\r\n".utf8))) }
        let refused = try exchange(port, Array("GET /fast HTTP/1.1\r\n\r\n".utf8))
        XCTAssertTrue(refused.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), refused)
        XCTAssertTrue(refused.contains("\r\nRetry-After: 1\r\n"))
        release.withLock { $0 = true }
        for fd in slow {
            XCTAssertTrue(answer(fd).hasPrefix("HTTP/1.1 200"), "every queued request is answered")
            close(fd)
        }
    }
}
