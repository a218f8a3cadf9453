#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A failed HTTP exchange.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public var url: String
    public var message: String
    public var description: String { "\(url): \(message)" }
}

/// The response to a request: status code and body (capped).
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]
}

/// A minimal blocking HTTP/1.1 client for plain `http://` URLs (Alertmanager, Prometheus'
/// API in tests), with one deadline, `timeoutS`, for the whole exchange: connect, send and
/// every byte of the answer (``HTTPSocket``), so a server that drips cannot hold the caller
/// past it. (Name resolution comes first and is the system resolver's.) No TLS: put a local
/// proxy in front of a remote HTTPS endpoint.
public struct HTTPClient: Sendable {
    public var timeoutS: Double
    public var maxBodyBytes: Int

    public init(timeoutS: Double = 10, maxBodyBytes: Int = 4 << 20) {
        self.timeoutS = timeoutS
        self.maxBodyBytes = maxBodyBytes
    }

    /// Parsed `http://host[:port]/path`.
    public struct Endpoint: Sendable, Equatable {
        public var host: String
        public var port: UInt16
        public var path: String

        public init?(_ url: String) {
            guard url.hasPrefix("http://") else { return nil }
            let rest = url.dropFirst(7)
            let hostPort = rest.prefix { $0 != "/" }
            path = rest.count > hostPort.count ? String(rest.dropFirst(hostPort.count)) : "/"
            if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasPrefix("[") {
                guard let number = UInt16(hostPort[hostPort.index(after: colon)...]) else { return nil }
                host = String(hostPort[..<colon])
                port = number
            } else {
                host = String(hostPort)
                port = 80
            }
            guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "@" }) else { return nil }
        }
    }

    public func get(_ url: String) throws(HTTPError) -> HTTPResponse {
        try send(method: "GET", url: url, body: nil, contentType: nil)
    }

    public func post(_ url: String, json body: [UInt8]) throws(HTTPError) -> HTTPResponse {
        try send(method: "POST", url: url, body: body, contentType: "application/json")
    }

    public func send(
        method: String, url: String, body: [UInt8]?, contentType: String?
    ) throws(HTTPError) -> HTTPResponse {
        guard let endpoint = Endpoint(url) else {
            throw HTTPError(url: url, message: "not an http://host[:port]/path URL")
        }
        let deadline = HTTPSocket.deadline(after: timeoutS)
        let fd = try connect(endpoint, url: url, until: deadline)
        defer { close(fd) }
        try HTTPSocket.sendAll(
            fd,
            Array(Self.requestHead(method, endpoint, contentType: contentType, bodyCount: body?.count ?? 0).utf8)
                + (body ?? []), until: deadline, url: url, timeoutS: timeoutS)
        var response: [UInt8] = []
        while response.count <= maxBodyBytes + 16 << 10 {
            let piece = try HTTPSocket.receive(fd, count: 16 << 10, until: deadline, url: url, timeoutS: timeoutS)
            if piece.isEmpty { break }
            response.append(contentsOf: piece)
        }
        return try parse(response, url: url)
    }

    /// The request line and headers, ending with the blank line.
    static func requestHead(_ method: String, _ endpoint: Endpoint, contentType: String?, bodyCount: Int) -> String {
        var head =
            "\(method) \(endpoint.path) HTTP/1.1\r\nHost: \(endpoint.host):\(endpoint.port)\r\n"
            + "Connection: close\r\nUser-Agent: fleetctl/\(BuildInfo.version)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        return head + "Content-Length: \(bodyCount)\r\n\r\n"
    }

    /// A connected non-blocking socket, before `deadline` (a host that drops packets fails
    /// with the timeout it is).
    func connect(_ endpoint: Endpoint, url: String, until deadline: ContinuousClock.Instant) throws(HTTPError) -> Int32
    {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let host = endpoint.host.hasPrefix("[") ? String(endpoint.host.dropFirst().dropLast()) : endpoint.host
        guard getaddrinfo(host, String(endpoint.port), &hints, &result) == 0, let first = result else {
            throw HTTPError(url: url, message: "cannot resolve \(endpoint.host)")
        }
        defer { freeaddrinfo(result) }
        var lastError: Int32 = ECONNREFUSED
        var info: UnsafeMutablePointer<addrinfo>? = first
        while let current = info {
            info = current.pointee.ai_next
            let (fd, error) = HTTPSocket.connect(current, until: deadline)
            if fd >= 0 { return fd }
            lastError = error
            if error == ETIMEDOUT { break }
        }
        if lastError == ETIMEDOUT {
            let message =
                "timed out after \(HumanText.duration(seconds: timeoutS)) connecting to "
                + "\(endpoint.host):\(endpoint.port)"
            throw HTTPError(url: url, message: message)
        }
        throw HTTPError(
            url: url, message: "cannot connect to \(endpoint.host):\(endpoint.port): \(SystemError.text(lastError))")
    }

    private func parse(_ response: [UInt8], url: String) throws(HTTPError) -> HTTPResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = response.indices.first(where: { response[$0...].starts(with: separator) }) else {
            throw HTTPError(url: url, message: "no HTTP response header")
        }
        let head = String(decoding: response[..<end], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw HTTPError(url: url, message: "bad status line \(statusLine.prefix(80))")
        }
        var body = Array(response[(end + 4)...])
        if head.lowercased().contains("transfer-encoding: chunked") { body = Self.dechunk(body) }
        return HTTPResponse(status: status, body: Array(body.prefix(maxBodyBytes)))
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstIndex(of: 13), lineEnd + 1 < bytes.count else { break }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText, radix: 16), size > 0 else { break }
            let start = lineEnd + 2
            guard start + size <= bytes.count else { break }
            out.append(contentsOf: bytes[start..<start + size])
            index = start + size + 2
        }
        return out
    }
}
