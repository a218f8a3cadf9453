#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The request line of an HTTP/1.x request: all the progress page and `/metrics` need.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    /// The path without its query string.
    public var path: String

    public init(method: String, path: String) {
        self.method = method
        self.path = path
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
        let path =
            target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
            ?? target
        return HTTPRequest(method: String(decoding: parts[0], as: UTF8.self), path: path)
    }
}

/// What ``HTTPServer`` answers (``HTTPResponse`` is the client's view of an answer).
public struct HTTPServerResponse: Sendable, Equatable {
    public var status: Int
    public var reason: String
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, reason: String, contentType: String = "text/plain; charset=utf-8", body: String) {
        self.status = status
        self.reason = reason
        self.contentType = contentType
        self.body = Array(body.utf8)
    }

    /// Status line, headers and body; every response closes the connection.
    public func bytes(includeBody: Bool = true) -> [UInt8] {
        let head =
            "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
            + "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n"
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

/// A tiny HTTP/1.1 server (127.0.0.1 unless told otherwise): one request per connection, served
/// in turn. `agent-runner monitor --mode http` serves its progress page with it, `fleetctl watch
/// --metrics-listen` its Prometheus exposition.
///
/// Built on the socket calls directly so agent-runner keeps no dependencies. Defensive where it
/// matters for a page left open for days: a client gets 5 s to send its request head (16 KiB
/// at most), a malformed request is answered 400, a client that goes away mid-response costs
/// nothing (`MSG_NOSIGNAL`), and the listening socket is polled so a stop request is seen within
/// 200 ms.
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

    /// Serves until `shouldStop` returns true.
    public func serve(until shouldStop: () -> Bool, handler: (HTTPRequest) -> HTTPServerResponse) {
        while !shouldStop() {
            var listening = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&listening, 1, 200) > 0 else { continue }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            handle(client, handler: handler)
            close(client)
        }
    }

    private func handle(_ client: Int32, handler: (HTTPRequest) -> HTTPServerResponse) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let terminator = Array("\r\n\r\n".utf8)
        while head.count < Self.maxHeadBytes {
            let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            head.append(contentsOf: buffer[0..<count])
            if head.count >= 4, Self.contains(head, terminator) { break }
        }
        guard !head.isEmpty else { return }
        let response: HTTPServerResponse
        var includeBody = true
        if let request = HTTPRequest.parse(head: head) {
            if request.method == "GET" || request.method == "HEAD" {
                includeBody = request.method == "GET"
                response = handler(request)
            } else {
                response = HTTPServerResponse(
                    status: 405, reason: "Method Not Allowed", body: "only GET and HEAD are supported\n")
            }
        } else {
            response = HTTPServerResponse(status: 400, reason: "Bad Request", body: "malformed request\n")
        }
        Self.send(client, response.bytes(includeBody: includeBody))
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
