import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The request line of an HTTP/1.x request: all the pages, `/api/state` and `/metrics` need.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The path without its query string.
    public var path: String
    /// What follows `?` in the target, undecoded ("" without one).
    public var query: String

    public init(method: String, path: String, query: String = "") {
        self.method = method
        self.path = path
        self.query = query
    }

    /// Parses the head of a request (`GET /api/state?x=1 HTTP/1.1\r\n...`), or nil when the
    /// first line is not `METHOD SP TARGET SP HTTP/x.y`.
    public static func parse(head: [UInt8]) -> HTTPRequest? {
        guard let end = head.firstIndex(of: UInt8(ascii: "\r")) ?? head.firstIndex(of: UInt8(ascii: "\n")) else {
            return nil
        }
        let parts = head[..<end].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty,
            parts[0].allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }),
            parts[1].first == UInt8(ascii: "/"), parts[2].starts(with: Array("HTTP/".utf8))
        else { return nil }
        let target = String(decoding: parts[1], as: UTF8.self)
        let pieces = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return HTTPRequest(
            method: String(decoding: parts[0], as: UTF8.self), path: String(pieces[0]),
            query: pieces.count > 1 ? String(pieces[1]) : "")
    }

    /// The first value of `name` in the query string, percent- and `+`-decoded; nil when absent
    /// or not valid UTF-8 after decoding.
    public func queryValue(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard Self.percentDecoded(keyValue[0]) == name else { continue }
            return keyValue.count > 1 ? Self.percentDecoded(keyValue[1]) : ""
        }
        return nil
    }

    /// `text` with `%XX` escapes and `+` (a space) decoded; nil when the bytes are not UTF-8 or
    /// an escape is malformed.
    public static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hex), let low = iterator.next().flatMap(hex) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// One response header.
public struct HTTPHeaderField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// What ``HTTPServer`` answers (``HTTPResponse`` is the client's view of an answer).
///
/// Every response carries the same defensive headers: the pages show text that remote hosts
/// (and the agents on them) control, so the browser is told to run scripts only from the
/// server itself (a strict Content-Security-Policy: no inline script, no inline style, no other
/// origin), never to guess a content type, never to frame the page and never to cache it.
public struct HTTPServerResponse: Sendable, Equatable {
    /// Scripts, styles, images and fetches from this server only; nothing inline, no forms, no
    /// frames, no `<base>`: an escaping bug elsewhere still cannot run a script.
    public static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    public var status: Int
    public var reason: String
    public var contentType: String
    public var body: [UInt8]
    /// Headers beyond the fixed ones (`Allow`, `ETag`, ...).
    public var headers: [HTTPHeaderField]

    public init(
        status: Int, reason: String, contentType: String = "text/plain; charset=utf-8", body: String,
        headers: [HTTPHeaderField] = []
    ) {
        self.init(status: status, reason: reason, contentType: contentType, bytes: Array(body.utf8), headers: headers)
    }

    public init(
        status: Int, reason: String, contentType: String = "text/plain; charset=utf-8", bytes: [UInt8],
        headers: [HTTPHeaderField] = []
    ) {
        self.status = status
        self.reason = reason
        self.contentType = contentType
        self.body = bytes
        self.headers = headers
    }

    /// 200 with an HTML page.
    public static func html(_ body: String) -> HTTPServerResponse {
        HTTPServerResponse(status: 200, reason: "OK", contentType: "text/html; charset=utf-8", body: body)
    }

    /// 200 with a JSON document.
    public static func json(_ bytes: [UInt8]) -> HTTPServerResponse {
        HTTPServerResponse(status: 200, reason: "OK", contentType: "application/json", bytes: bytes)
    }

    /// 200 with a stylesheet.
    public static func css(_ body: String) -> HTTPServerResponse {
        HTTPServerResponse(status: 200, reason: "OK", contentType: "text/css; charset=utf-8", body: body)
    }

    /// 200 with a script.
    public static func javascript(_ body: String) -> HTTPServerResponse {
        HTTPServerResponse(status: 200, reason: "OK", contentType: "text/javascript; charset=utf-8", body: body)
    }

    /// 404 naming the paths that exist.
    public static func notFound(tryPaths: String) -> HTTPServerResponse {
        HTTPServerResponse(status: 404, reason: "Not Found", body: "not found: try \(tryPaths)\n")
    }

    /// Status line, headers and body; every response closes the connection.
    public func bytes(includeBody: Bool = true) -> [UInt8] {
        var head =
            "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
            + "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
            + "Content-Security-Policy: \(Self.contentSecurityPolicy)\r\nX-Frame-Options: DENY\r\n"
            + "Referrer-Policy: no-referrer\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8) + (includeBody ? body : [])
    }
}

/// A failure to listen, with the operator's next step.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    public var address: String = "127.0.0.1"
    public var port: Int
    public var code: Int32
    /// The flag that picks the port, for the hint (`--port`, `--metrics-listen`).
    public var flag: String = "--port"
    public var description: String {
        if code == EINVAL && port < 0 {
            return "\(address) is not an IPv4 address; pass \(flag) with an address such as 127.0.0.1"
        }
        if code == EADDRINUSE {
            return "port \(port) in use (\(SystemError.text(code))); try \(flag) <other>"
        }
        return "cannot listen on \(address):\(port) (\(SystemError.text(code))); try \(flag) <other>"
    }
}

/// A tiny HTTP/1.1 server (127.0.0.1 unless told otherwise): one request per connection.
/// `agent-runner monitor --mode http` serves its progress page with it, `fleetctl watch --http`
/// its dashboard and `--metrics-listen` its Prometheus exposition.
///
/// Built on the socket calls directly so agent-runner keeps no dependencies. Defensive where it
/// matters for a page left open for days and reachable by whoever can reach the port: a client
/// gets 5 s to send its request head (16 KiB at most, else 431), a malformed request is answered
/// 400, anything but GET and HEAD 405 (no request body is ever read), a client that goes away
/// mid-response costs nothing (`MSG_NOSIGNAL`), the listening socket is polled so a stop request
/// is seen within 200 ms, and with `workers` > 1 a slow handler (a page that fetches from a
/// remote host) does not hold up the others; past `workers` × 4 waiting connections a new one is
/// answered 503 at once instead of queueing without bound.
public final class HTTPServer: Sendable {
    public static let maxHeadBytes = 16 << 10
    public let port: Int
    private let fd: Int32

    private init(port: Int, fd: Int32) {
        self.port = port
        self.fd = fd
    }

    deinit { close(fd) }

    /// Listens on `address:port` (an IPv4 literal; port 0 picks a free port, see ``port``).
    public static func listen(
        address: String = "127.0.0.1", port: Int, flag: String = "--port"
    ) throws(HTTPServerError) -> HTTPServer {
        var inAddress = in_addr()
        guard inet_pton(AF_INET, address, &inAddress) == 1 else {
            throw HTTPServerError(address: address, port: -1, code: EINVAL, flag: flag)
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError(address: address, port: port, code: errno, flag: flag) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        socketAddress.sin_addr = inAddress
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            throw HTTPServerError(address: address, port: port, code: code, flag: flag)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return HTTPServer(port: Int(UInt16(bigEndian: actual.sin_port)), fd: fd)
    }

    /// Serves until `shouldStop` returns true, each connection on one of `workers` threads
    /// (1: on the calling thread, in turn). Returns once the connections taken are answered.
    public func serve(
        until shouldStop: () -> Bool, workers: Int = 1,
        handler: @escaping @Sendable (HTTPRequest) -> HTTPServerResponse
    ) {
        let pool = workers > 1 ? WorkerPool(threads: workers, queueLimit: workers * 4) : nil
        defer { pool?.shutdown() }
        while !shouldStop() {
            var listening = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&listening, 1, 200) > 0 else { continue }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            guard let pool else {
                Self.handle(client, handler: handler)
                close(client)
                continue
            }
            let queued = pool.submit {
                Self.handle(client, handler: handler)
                close(client)
            }
            if !queued {
                Self.setTimeouts(client)
                Self.send(
                    client,
                    HTTPServerResponse(
                        status: 503, reason: "Service Unavailable", body: "busy: too many requests at once; retry\n",
                        headers: [HTTPHeaderField("Retry-After", "1")]
                    ).bytes())
                close(client)
            }
        }
    }

    private static func setTimeouts(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func handle(_ client: Int32, handler: (HTTPRequest) -> HTTPServerResponse) {
        setTimeouts(client)
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let terminator = Array("\r\n\r\n".utf8)
        var complete = false
        while head.count < maxHeadBytes {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            head.append(contentsOf: buffer[0..<count])
            if head.count >= 4, contains(head, terminator) {
                complete = true
                break
            }
        }
        guard !head.isEmpty else { return }
        let response: HTTPServerResponse
        var includeBody = true
        if !complete && head.count >= maxHeadBytes {
            response = HTTPServerResponse(
                status: 431, reason: "Request Header Fields Too Large",
                body: "the request head is over \(maxHeadBytes) bytes\n")
        } else if let request = HTTPRequest.parse(head: head) {
            if request.method == "GET" || request.method == "HEAD" {
                includeBody = request.method == "GET"
                response = handler(request)
            } else {
                response = HTTPServerResponse(
                    status: 405, reason: "Method Not Allowed", body: "read-only: only GET and HEAD are supported\n",
                    headers: [HTTPHeaderField("Allow", "GET, HEAD")])
            }
        } else {
            response = HTTPServerResponse(status: 400, reason: "Bad Request", body: "malformed request\n")
        }
        send(client, response.bytes(includeBody: includeBody))
    }

    private static func contains(_ bytes: [UInt8], _ pattern: [UInt8]) -> Bool {
        guard bytes.count >= pattern.count else { return false }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if bytes[start..<(start + pattern.count)].elementsEqual(pattern) { return true }
        }
        return false
    }

    private static func send(_ client: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(client, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return }
            offset += sent
        }
    }
}

/// A server answering on a thread of its own (``HTTPServer/start(workers:handler:)``) until
/// ``stop()``: the Prometheus endpoint and the dashboard beside the watch loop, a test's
/// release server.
public final class HTTPServing: Sendable {
    public let server: HTTPServer
    private let thread = WorkerPool(threads: 1)
    private let stopping = Mutex(false)

    fileprivate init(
        _ server: HTTPServer, workers: Int, handler: @escaping @Sendable (HTTPRequest) -> HTTPServerResponse
    ) {
        self.server = server
        thread.submit { [self] in
            server.serve(until: { self.stopping.withLock { $0 } }, workers: workers, handler: handler)
        }
    }

    /// The bound port.
    public var port: Int { server.port }

    /// Stops accepting (within ~200 ms), answers the connections already taken, and waits.
    /// Idempotent.
    public func stop() {
        stopping.withLock { $0 = true }
        thread.shutdown()
    }
}

extension HTTPServer {
    /// Serves on a thread of its own, each connection on one of `workers` threads, until the
    /// returned handle is stopped.
    public func start(
        workers: Int = 1, handler: @escaping @Sendable (HTTPRequest) -> HTTPServerResponse
    ) -> HTTPServing {
        HTTPServing(self, workers: workers, handler: handler)
    }
}
