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
