import FleetCore
import Foundation
import Synchronization
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// What one client can cost the server (issue 23): a client that drips its request, opens a
/// connection and says nothing, half-closes mid-request or stops reading its answer must not
/// delay anyone else's request, and is itself cut off at the server's deadline.
final class HTTPServerSlowClientTests: XCTestCase {
    /// A raw loopback connection to `port`, non-blocking once connected.
    static func connect(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        XCTAssertEqual(connected, 0, "connect: \(String(cString: strerror(errno)))")
        return fd
    }

    static func send(_ fd: Int32, _ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Everything the server answers until it closes (or 10 s pass).
    static func answer(_ fd: Int32) -> String {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// One normal request's status line and how long the whole exchange took.
    static func timedGet(_ port: Int, _ path: String = "/") -> (status: String, seconds: Double) {
        let started = ContinuousClock.now
        let fd = connect(port)
        defer { close(fd) }
        send(fd, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        let answer = answer(fd)
        let elapsed = ContinuousClock.now - started
        let status = String(decoding: Array(answer.utf8).prefix { $0 != 13 }, as: UTF8.self)
        return (status, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// The kinds of slow client, in turn: `count` of them.
    enum SlowKind: CaseIterable {
        /// Sends its request a byte at a time, a byte every 200 ms, forever.
        case dripping
        /// Connects and sends nothing.
        case idle
        /// Sends half a request head, then shuts down its sending side and waits.
        case halfClosed
        /// Sends half a request head and then nothing, holding the connection open.
        case stalled
        /// Asks for a large answer and never reads it.
        case notReading
    }

    func testFiftySlowClientsDoNotDelayANormalRequest() throws {
        let server = try HTTPServer.listen(port: 0)
        let big = HTTPServerResponse.html(String(repeating: "x", count: 4 << 20))
        let bigServed = Mutex(0)
        let running = server.start { request in
            guard request.path == "/big" else { return .html("<p>ok</p>") }
            bigServed.withLock { $0 += 1 }
            return big
        }
        addTeardownBlock { running.stop() }
        let port = server.port
        XCTAssertEqual(Self.timedGet(port).status, "HTTP/1.1 200 OK", "the server answers before the flood")

        var slow: [(kind: SlowKind, fd: Int32)] = []
        for index in 0..<50 {
            let kind = SlowKind.allCases[index % SlowKind.allCases.count]
            let fd = Self.connect(port)
            switch kind {
            case .dripping: Self.send(fd, "G")
            case .idle: break
            case .halfClosed:
                Self.send(fd, "GET / HTTP/1.1\r\nHo")
                shutdown(fd, Int32(SHUT_WR))
            case .stalled: Self.send(fd, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            case .notReading:
                var small: Int32 = 4096
                setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
                let served = bigServed.withLock { $0 }
                Self.send(fd, "GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                // One at a time (its handler has run): a burst would be answered 503 past the
                // single worker's queue, which is the queue bound working, not a slow client.
                while bigServed.withLock({ $0 }) == served { usleep(1000) }
            }
            slow.append((kind, fd))
        }
        defer { for client in slow { close(client.fd) } }
        let dripping = slow.filter { $0.kind == .dripping }.map(\.fd)
        let stopDripping = Mutex(false)
        let dripper = Thread {
            let request = Array("ET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
            for byte in request where !stopDripping.withLock({ $0 }) {
                usleep(200_000)
                for fd in dripping {
                    _ = [byte].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, 1, Int32(MSG_NOSIGNAL)) }
                }
            }
        }
        dripper.start()
        defer { stopDripping.withLock { $0 = true } }

        // Ten normal requests spread over the next 2 s, while every slow client is still
        // within the server's 5 s request deadline: each is answered in under 1 s. (The
        // server used to take one connection at a time with 5 s per read: the first idle
        // client alone held a request up for 5 s, fifty for minutes.)
        var latencies: [Double] = []
        for _ in 0..<10 {
            let (status, seconds) = Self.timedGet(port)
            XCTAssertEqual(status, "HTTP/1.1 200 OK")
            latencies.append(seconds)
            usleep(200_000)
        }
        XCTAssertLessThan(latencies.max() ?? 99, 1.0, "latencies with 50 slow clients: \(latencies)")
        print("normal request latency with 50 slow clients: max \(latencies.max() ?? 0) s, all \(latencies)")
    }

    func testAClientDrippingItsRequestIsCutOffAtTheWholeRequestDeadline() throws {
        let server = try HTTPServer.listen(
            port: 0, limits: HTTPServerLimits(requestDeadline: .seconds(1), responseDeadline: .seconds(1)))
        let running = server.start { _ in .html("ok") }
        addTeardownBlock { running.stop() }
        let fd = Self.connect(server.port)
        defer { close(fd) }
        let started = ContinuousClock.now
        // A byte every 100 ms: far inside any per-read timeout, never done within 1 s in all.
        var closedAfter: Duration?
        for byte in Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8) {
            usleep(100_000)
            let sent = [byte].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, 1, Int32(MSG_NOSIGNAL)) }
            var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if sent < 0 || (poll(&probe, 1, 0) > 0) {
                closedAfter = ContinuousClock.now - started
                break
            }
        }
        let elapsed = try XCTUnwrap(closedAfter, "the dripping client was never cut off")
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(900), "not before the deadline")
        XCTAssertLessThan(elapsed, .milliseconds(2500), "cut off at the 1 s deadline, not per read")
        XCTAssertEqual(Self.answer(fd), "", "a request never completed gets no answer")

        // An idle connection is closed at the same deadline.
        let idle = Self.connect(server.port)
        defer { close(idle) }
        let idleStarted = ContinuousClock.now
        XCTAssertEqual(Self.answer(idle), "")
        XCTAssertLessThan(ContinuousClock.now - idleStarted, .milliseconds(2500))
    }

    func testPastTheConnectionLimitANewClientIsAnswered503AtOnce() throws {
        let server = try HTTPServer.listen(port: 0, limits: HTTPServerLimits(maxConnections: 8))
        let running = server.start { _ in .html("ok") }
        addTeardownBlock { running.stop() }
        let idle = (0..<8).map { _ in Self.connect(server.port) }
        defer { for fd in idle.dropFirst() { close(fd) } }
        // The loop accepts in connection order: the eight idle ones first, then this one.
        let (status, seconds) = Self.timedGet(server.port)
        XCTAssertEqual(status, "HTTP/1.1 503 Service Unavailable")
        XCTAssertLessThan(seconds, 1.0)
        close(idle[0])
        var answered = ""
        for _ in 0..<50 where answered != "HTTP/1.1 200 OK" {
            answered = Self.timedGet(server.port).status
            if answered != "HTTP/1.1 200 OK" { usleep(50_000) }
        }
        XCTAssertEqual(answered, "HTTP/1.1 200 OK", "a freed slot takes a new client")
    }

    func testStoppingDoesNotWaitLongForAClientThatStoppedReading() throws {
        let server = try HTTPServer.listen(port: 0)
        let big = HTTPServerResponse.html(String(repeating: "x", count: 16 << 20))
        let served = Mutex(false)
        let running = server.start { _ in
            served.withLock { $0 = true }
            return big
        }
        let fd = Self.connect(server.port)
        defer { close(fd) }
        var small: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        Self.send(fd, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        while !served.withLock({ $0 }) { usleep(1000) }
        let started = ContinuousClock.now
        running.stop()
        let took = ContinuousClock.now - started
        XCTAssertLessThan(took, .milliseconds(2500), "stop waited \(took) for a client that reads nothing")
    }
}
