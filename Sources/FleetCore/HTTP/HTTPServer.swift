import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

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

/// How much of itself a server gives to clients. A page left open for days is reachable by
/// whoever can reach the port, so no client, slow or idle or gone, may hold more than its share.
public struct HTTPServerLimits: Sendable, Equatable {
    /// Connections open at once (being read, handled or written); past it a new connection is
    /// answered 503 at once. Fifty idle browsers' worth, well under the descriptor limit.
    public var maxConnections: Int
    /// From accepting a connection to holding its whole request head: a client that drips a byte
    /// every few seconds, or opens a connection and says nothing, is cut off when it passes.
    public var requestDeadline: Duration
    /// From the response being ready to the client having taken it all: a client that stops
    /// reading is cut off when it passes.
    public var responseDeadline: Duration

    public init(
        maxConnections: Int = 128, requestDeadline: Duration = .seconds(5), responseDeadline: Duration = .seconds(10)
    ) {
        self.maxConnections = maxConnections
        self.requestDeadline = requestDeadline
        self.responseDeadline = responseDeadline
    }
}

/// A tiny HTTP/1.1 server (127.0.0.1 unless told otherwise): one request per connection.
/// `agent-runner monitor --mode http` serves its progress page with it, `fleetctl watch --http`
/// its dashboard and `--metrics-listen` its Prometheus exposition.
///
/// Built on the socket calls directly so agent-runner keeps no dependencies. Defensive where it
/// matters for a page left open for days and reachable by whoever can reach the port:
/// - one thread polls the listening socket and every open connection, reading and writing
///   without blocking, so no client, however slow, holds up another; a worker thread is taken
///   only by a complete request, for the handler's time (``HTTPServerLimits``);
/// - a client gets ``HTTPServerLimits/requestDeadline`` for its whole request head (16 KiB at
///   most, else 431) and ``HTTPServerLimits/responseDeadline`` to take the answer; every
///   answer closes the connection, so nothing idles in keep-alive;
/// - past ``HTTPServerLimits/maxConnections`` open connections, or `workers` × 4 requests waiting
///   for a worker, a new one is answered 503 at once instead of queueing without bound;
/// - a `Host` the server cannot vouch for is answered 421 before any route runs
///   (``HTTPHostCheck``: DNS rebinding);
/// - a malformed request is answered 400, anything but GET and HEAD 405 (no request body is
///   ever read), and a client that goes away mid-response costs nothing (`MSG_NOSIGNAL`);
/// - a stop request is seen within 200 ms.
public final class HTTPServer: Sendable {
    public static let maxHeadBytes = 16 << 10
    public let port: Int
    public let hostCheck: HTTPHostCheck
    public let limits: HTTPServerLimits
    private let fd: Int32

    private init(port: Int, fd: Int32, hostCheck: HTTPHostCheck, limits: HTTPServerLimits) {
        self.port = port
        self.fd = fd
        self.hostCheck = hostCheck
        self.limits = limits
    }

    deinit { close(fd) }

    /// Listens on `address:port` (an IPv4 literal; port 0 picks a free port, see ``port``),
    /// answering the hosts ``HTTPHostCheck`` allows for that address plus `allowedHosts`.
    public static func listen(
        address: String = "127.0.0.1", port: Int, flag: String = "--port", allowedHosts: [HTTPHostCheck.Entry] = [],
        limits: HTTPServerLimits = HTTPServerLimits()
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
        guard bound == 0, Glibc.listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw HTTPServerError(address: address, port: port, code: code, flag: flag)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let actualPort = Int(UInt16(bigEndian: actual.sin_port))
        return HTTPServer(
            port: actualPort, fd: fd,
            hostCheck: HTTPHostCheck(boundAddress: address, port: actualPort, allowed: allowedHosts), limits: limits)
    }

    /// Serves until `shouldStop` returns true, each request's handler on one of `workers` threads
    /// (at least 1), while the calling thread reads requests and writes answers. Returns once
    /// the requests taken are answered (or their clients cut off).
    public func serve(
        until shouldStop: () -> Bool, workers: Int = 1,
        handler: @escaping @Sendable (HTTPRequest) -> HTTPServerResponse
    ) {
        let threads = max(1, workers)
        let pool = WorkerPool(threads: threads, queueLimit: threads * 4)
        guard let loop = HTTPConnectionLoop(listener: fd, hostCheck: hostCheck, limits: limits) else {
            pool.shutdown()
            return
        }
        loop.run(until: shouldStop, pool: pool, handler: handler)
        pool.shutdown()
        loop.close()
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

    /// Stops accepting (within ~200 ms), finishes the answers under way (each client gets at
    /// most 1 s more to take its answer), and waits. Idempotent.
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
