import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// ``HTTPServer``'s event loop: one thread polls the listening socket and every open
/// connection, reads request heads and writes answers without blocking, and hands complete
/// requests to the worker pool. A connection's bytes come and go as the client allows; its
/// deadline (``HTTPServerLimits``) is the only time it can cost, and it costs no thread.
final class HTTPConnectionLoop: Sendable {
    /// One client, from accept to close.
    private struct Connection {
        enum Phase {
            /// Receiving the request head, until `deadline`.
            case reading
            /// The handler runs on a worker; no deadline (the handler is ours).
            case handling
            /// Sending `outgoing` from `sent`, until `deadline`.
            case writing
        }

        let fd: Int32
        /// The order of accepting: requests are read, and so queued for a worker, in that order.
        let sequence: UInt64
        var phase = Phase.reading
        var head: [UInt8] = []
        var outgoing: [UInt8] = []
        var sent = 0
        var deadline: ContinuousClock.Instant

        mutating func startWriting(_ bytes: [UInt8], deadline: ContinuousClock.Instant) {
            phase = .writing
            outgoing = bytes
            sent = 0
            self.deadline = deadline
        }
    }

    private let listener: Int32
    private let hostCheck: HTTPHostCheck
    private let limits: HTTPServerLimits
    /// Workers append `(fd, response bytes)` and write a byte to `wakeWrite`.
    private let finished = Mutex<[(Int32, [UInt8])]>([])
    private let wakeRead: Int32
    private let wakeWrite: Int32

    init?(listener: Int32, hostCheck: HTTPHostCheck, limits: HTTPServerLimits) {
        guard let ends = try? Descriptor.makePipe() else { return nil }
        for end in [ends.read, ends.write] { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        self.listener = listener
        self.hostCheck = hostCheck
        self.limits = limits
        wakeRead = ends.read
        wakeWrite = ends.write
    }

    /// Closes the wake pipe; call once the pool that writes to it is shut down.
    func close() {
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    func run(
        until shouldStop: () -> Bool, pool: WorkerPool, handler: @escaping @Sendable (HTTPRequest) -> HTTPServerResponse
    ) {
        var connections: [Int32: Connection] = [:]
        var accepted: UInt64 = 0
        while true {
            let stopping = shouldStop()
            if stopping {
                // Requests not yet whole are dropped; answers under way get at most 1 s more.
                let last = ContinuousClock.now + .seconds(1)
                for (fd, connection) in connections {
                    if connection.phase == .reading {
                        Glibc.close(fd)
                        connections[fd] = nil
                    } else if connection.phase == .writing && connection.deadline > last {
                        connections[fd]?.deadline = last
                    }
                }
                if connections.isEmpty { return }
            }
            var polled = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            if !stopping { polled.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0)) }
            for connection in connections.values.sorted(by: { $0.sequence < $1.sequence })
            where connection.phase != .handling {
                let events = connection.phase == .reading ? POLLIN : POLLOUT
                polled.append(pollfd(fd: connection.fd, events: Int16(events), revents: 0))
            }
            _ = poll(&polled, nfds_t(polled.count), timeoutMS(connections.values))
            let now = ContinuousClock.now
            drainWake()
            for (fd, bytes) in finished.withLock({ list in
                defer { list = [] }
                return list
            }) {
                connections[fd]?.startWriting(bytes, deadline: now + limits.responseDeadline)
            }
            for entry in polled where entry.revents != 0 && entry.fd != wakeRead {
                if entry.fd == listener {
                    acceptAll(into: &connections, accepted: &accepted, now: now)
                } else if var connection = connections[entry.fd] {
                    if connection.phase == .reading {
                        read(&connection, now: now, pool: pool, handler: handler)
                    }
                    if connection.phase == .writing, !write(&connection) {
                        Glibc.close(connection.fd)
                        connections[entry.fd] = nil
                        continue
                    }
                    connections[entry.fd] = connection
                }
            }
            for (fd, connection) in connections where connection.phase != .handling && now >= connection.deadline {
                Glibc.close(fd)
                connections[fd] = nil
            }
        }
    }

    /// Until the nearest deadline, at most 200 ms (the stop request's latency).
    private func timeoutMS(_ connections: Dictionary<Int32, Connection>.Values) -> Int32 {
        let waiting = connections.filter { $0.phase != .handling }.map(\.deadline)
        guard let nearest = waiting.min() else { return 200 }
        let left = nearest - ContinuousClock.now
        let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
        return Int32(max(0, min(200, milliseconds)))
    }

    private func drainWake() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while buffer.withUnsafeMutableBytes({ Glibc.read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
    }

    /// Takes every waiting connection; past the connection limit each is answered 503 and closed.
    private func acceptAll(
        into connections: inout [Int32: Connection], accepted: inout UInt64, now: ContinuousClock.Instant
    ) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                // Out of descriptors: the connection stays in the backlog and the listener stays
                // readable; pause instead of spinning until a descriptor is free again.
                if errno == EMFILE || errno == ENFILE { usleep(10_000) }
                return
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            guard connections.count < limits.maxConnections else {
                var refused = Connection(fd: client, sequence: 0, deadline: now)
                refused.startWriting(Self.busy.bytes(), deadline: now)
                _ = write(&refused)
                Glibc.close(client)
                continue
            }
            accepted += 1
            connections[client] = Connection(fd: client, sequence: accepted, deadline: now + limits.requestDeadline)
        }
    }

    /// Receives what the client has sent; a complete head moves the connection on to an answer.
    private func read(
        _ connection: inout Connection, now: ContinuousClock.Instant, pool: WorkerPool,
        handler: @escaping @Sendable (HTTPRequest) -> HTTPServerResponse
    ) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var ended = false
        while connection.head.count < HTTPServer.maxHeadBytes {
            let count = buffer.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { ended = true }
            guard count > 0 else { break }
            let searchFrom = max(0, connection.head.count - 3)
            connection.head += buffer[0..<count]
            if Self.hasTerminator(connection.head, from: searchFrom) { break }
        }
        let complete = Self.hasTerminator(connection.head, from: 0)
        if !complete && connection.head.count >= HTTPServer.maxHeadBytes {
            connection.startWriting(
                HTTPServerResponse(
                    status: 431, reason: "Request Header Fields Too Large",
                    body: "the request head is over \(HTTPServer.maxHeadBytes) bytes\n"
                ).bytes(), deadline: now + limits.responseDeadline)
            return
        }
        guard complete else {
            // A client that stops sending before the blank line has made no request: drop it.
            if ended { connection.deadline = now }
            return
        }
        answer(&connection, now: now, pool: pool, handler: handler)
    }

    /// Refuses what no route may see, or hands the request to a worker.
    private func answer(
        _ connection: inout Connection, now: ContinuousClock.Instant, pool: WorkerPool,
        handler: @escaping @Sendable (HTTPRequest) -> HTTPServerResponse
    ) {
        let deadline = now + limits.responseDeadline
        guard let request = HTTPRequest.parse(head: connection.head) else {
            connection.startWriting(
                HTTPServerResponse(status: 400, reason: "Bad Request", body: "malformed request\n").bytes(),
                deadline: deadline)
            return
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            connection.startWriting(
                HTTPServerResponse(
                    status: 405, reason: "Method Not Allowed", body: "read-only: only GET and HEAD are supported\n",
                    headers: [HTTPHeaderField("Allow", "GET, HEAD")]
                ).bytes(), deadline: deadline)
            return
        }
        guard hostCheck.permits(request.host) else {
            connection.startWriting(
                HTTPServerResponse(
                    status: 421, reason: "Misdirected Request",
                    body: "this server answers \(hostCheck.defaultNames) (port \(hostCheck.port)), not the Host header "
                        + "this request sent; to reach it through another name, start it with "
                        + "--http-allowed-host NAME[:PORT]\n"
                ).bytes(includeBody: request.method == "GET"), deadline: deadline)
            return
        }
        let fd = connection.fd
        let wake = wakeWrite
        let submitted = pool.submit { [self] in
            let response = handler(request)
            finished.withLock { $0.append((fd, response.bytes(includeBody: request.method == "GET"))) }
            var byte: UInt8 = 1
            _ = Glibc.write(wake, &byte, 1)
        }
        if submitted {
            connection.phase = .handling
        } else {
            connection.startWriting(Self.busy.bytes(), deadline: deadline)
        }
    }

    /// Sends what the client's socket takes now; false when the connection is done (all sent,
    /// or the client gone).
    private func write(_ connection: inout Connection) -> Bool {
        while connection.sent < connection.outgoing.count {
            let sent = connection.outgoing.withUnsafeBytes {
                send(connection.fd, $0.baseAddress! + connection.sent, $0.count - connection.sent, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 && errno == EINTR { continue }
            if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return true }
            guard sent > 0 else { return false }
            connection.sent += sent
        }
        return false
    }

    private static let busy = HTTPServerResponse(
        status: 503, reason: "Service Unavailable", body: "busy: too many requests at once; retry\n",
        headers: [HTTPHeaderField("Retry-After", "1")])

    private static func hasTerminator(_ bytes: [UInt8], from start: Int) -> Bool {
        var index = start
        while index + 3 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
                return true
            }
            index += 1
        }
        return false
    }
}
