import FleetCore

/// `fleetctl watch --metrics-listen ADDRESS:PORT`: serves `/metrics` on its own thread, so a
/// scrape (or a stuck scraper, cut off by ``HTTPServer``'s deadlines) never delays a poll.
public final class MetricsEndpoint: Sendable {
    /// The bound port (the one asked for, or the one picked for port 0).
    public let port: Int
    public let address: String
    private let serving: HTTPServing

    /// Listens at once (so a busy port fails the command before any poll) and serves on a thread.
    public init(
        address: String, port: Int, allowedHosts: [HTTPHostCheck.Entry] = [],
        exposition: @escaping @Sendable () -> String
    ) throws(HTTPServerError) {
        let server = try HTTPServer.listen(
            address: address, port: port, flag: "--metrics-listen", allowedHosts: allowedHosts)
        self.port = server.port
        self.address = address
        serving = server.start { request in Self.respond(to: request, exposition: exposition) }
    }

    /// `GET /metrics` → the exposition; `/` → a pointer to it; anything else 404.
    static func respond(to request: HTTPRequest, exposition: () -> String) -> HTTPServerResponse {
        switch request.path {
        case "/metrics":
            return HTTPServerResponse(
                status: 200, reason: "OK", contentType: PrometheusText.contentType, body: exposition())
        case "/":
            return HTTPServerResponse(
                status: 200, reason: "OK", body: "fleetctl watch: Prometheus metrics at /metrics\n")
        default:
            return HTTPServerResponse(status: 404, reason: "Not Found", body: "not found: try /metrics\n")
        }
    }

    /// Stops serving (within ~200 ms) and waits for the thread.
    public func stop() {
        serving.stop()
    }

    /// `ADDRESS:PORT` (IPv4 literal, port 0-65535) from `--metrics-listen`; `:PORT` means 127.0.0.1.
    ///
    /// Octets are ASCII digits only: `Character.isNumber` also accepts `٣` and `Ⅻ`, which `Int`
    /// does not parse, and `1.2.3.٣:9100` used to trap on a force-unwrap instead of being refused.
    public static func parseListen(_ text: String) -> (address: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let address = text[..<colon].isEmpty ? "127.0.0.1" : String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy(isOctet) else { return nil }
        return (address, port)
    }

    /// One to three ASCII digits, at most 255.
    private static func isOctet(_ part: Substring) -> Bool {
        guard (1...3).contains(part.utf8.count),
            part.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let value = Int(part)
        else { return false }
        return value <= 255
    }
}
