#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The client's socket steps against one deadline for the whole exchange, not a timeout per
/// call: a server that drips a byte every few seconds never lets a per-read timeout fire, and
/// held `fleetctl watch --once` for 81 s against an Alertmanager `timeout_s = 3`. The socket is
/// non-blocking; each step polls for what is left of the deadline.
enum HTTPSocket {
    /// A deadline `seconds` from now.
    static func deadline(after seconds: Double) -> ContinuousClock.Instant {
        ContinuousClock.now + .milliseconds(Int64((max(0, seconds) * 1000).rounded()))
    }

    /// Polls `fd` for `events` until `deadline`; false when it passed first.
    static func wait(_ fd: Int32, for events: Int32, until deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return false }
            let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
            var entry = pollfd(fd: fd, events: Int16(events), revents: 0)
            let ready = poll(&entry, 1, Int32(min(milliseconds, 60_000)))
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return true }  // let the call that follows report it
        }
    }

    /// Connects a non-blocking socket made for `info`; the errno of the failure, or ETIMEDOUT.
    static func connect(
        _ info: UnsafeMutablePointer<addrinfo>, until deadline: ContinuousClock.Instant
    ) -> (fd: Int32, error: Int32) {
        let fd = socket(
            info.pointee.ai_family,
            info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue),
            info.pointee.ai_protocol)
        guard fd >= 0 else { return (-1, errno) }
        if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return (fd, 0) }
        guard errno == EINPROGRESS || errno == EINTR else {
            let code = errno
            close(fd)
            return (-1, code)
        }
        guard wait(fd, for: POLLOUT, until: deadline) else {
            close(fd)
            return (-1, ETIMEDOUT)
        }
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
        guard code == 0 else {
            close(fd)
            return (-1, code)
        }
        return (fd, 0)
    }

    /// Sends every byte before `deadline`.
    static func sendAll(
        _ fd: Int32, _ bytes: [UInt8], until deadline: ContinuousClock.Instant, url: String, timeoutS: Double
    ) throws(HTTPError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                offset += sent
                continue
            }
            if sent < 0 && errno == EINTR { continue }
            guard sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) else {
                throw HTTPError(url: url, message: "send failed: \(SystemError.text(errno))")
            }
            guard wait(fd, for: POLLOUT, until: deadline) else {
                throw HTTPError(
                    url: url, message: "timed out after \(HumanText.duration(seconds: timeoutS)) sending the request")
            }
        }
    }

    /// What arrives next (at most `count` bytes), empty at the end of the stream.
    static func receive(
        _ fd: Int32, count: Int, until deadline: ContinuousClock.Instant, url: String, timeoutS: Double
    ) throws(HTTPError) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: count)
        while true {
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received >= 0 { return Array(chunk[0..<received]) }
            if errno == EINTR { continue }
            guard errno == EAGAIN || errno == EWOULDBLOCK else {
                throw HTTPError(url: url, message: "receive failed: \(SystemError.text(errno))")
            }
            guard wait(fd, for: POLLIN, until: deadline) else {
                throw HTTPError(
                    url: url,
                    message: "timed out after \(HumanText.duration(seconds: timeoutS)) waiting for the response")
            }
        }
    }
}
