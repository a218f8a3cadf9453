#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension HTTPClient {
    /// Sends `GET url` and reads the response's head; the body is then read piece by piece from
    /// the stream. For downloads that must not be held whole in memory: a 10 MiB build through
    /// ``get(_:)`` is about three copies at once, too much beside an agent on a 512 MB Pi; read
    /// from a stream it is one 64 KiB piece at a time, hashed and written as it arrives.
    public func open(_ url: String) throws(HTTPError) -> HTTPResponseStream {
        guard let endpoint = Endpoint(url) else {
            throw HTTPError(url: url, message: "not an http://host[:port]/path URL")
        }
        let deadline = HTTPSocket.deadline(after: timeoutS)
        let fd = try connect(endpoint, url: url, until: deadline)
        do {
            try HTTPSocket.sendAll(
                fd, Array(Self.requestHead("GET", endpoint, contentType: nil, bodyCount: 0).utf8), until: deadline,
                url: url, timeoutS: timeoutS)
            let head = try HTTPResponseStream.readHead(fd, url: url, until: deadline, timeoutS: timeoutS)
            return HTTPResponseStream(fd: fd, url: url, timeoutS: timeoutS, head: head)
        } catch {
            close(fd)
            throw error
        }
    }
}

/// A response whose body is read as it arrives (``HTTPClient/open(_:)``). The request and the
/// head get the client's deadline whole; the body, which may be a build of many MiB, gets it
/// per 64 KiB: each piece must arrive within `timeoutS` of the last, so a server that drips
/// is cut off `timeoutS` after its last full piece, however long the body. The body is decoded from its framing (Content-Length, chunked,
/// or until the server closes); a body cut short of its Content-Length or inside a chunk is an
/// error, never a silently shorter file. Owns the connection and closes it when released.
/// One reader at a time: it is not Sendable.
public final class HTTPResponseStream {
    public let url: String
    public let status: Int
    /// The announced body size, when the server sent Content-Length (not chunked).
    public let contentLength: Int?
    /// Body bytes handed out so far.
    public private(set) var bodyBytesRead = 0

    private enum Framing {
        case length(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case untilClose
        case done
    }

    struct Head {
        var status: Int
        var contentLength: Int?
        var chunked: Bool
        /// Bytes received after the head: the start of the body.
        var rest: [UInt8]
    }

    static let maxHeadBytes = 64 << 10
    static let pieceBytes = 64 << 10

    private let fd: Int32
    private let timeoutS: Double
    /// When the current 64 KiB window of the body must be complete, and what it holds so far.
    private var windowDeadline: ContinuousClock.Instant
    private var windowBytes = 0
    private var buffer: [UInt8]
    private var framing: Framing

    init(fd: Int32, url: String, timeoutS: Double, head: Head) {
        self.fd = fd
        self.url = url
        self.timeoutS = timeoutS
        windowDeadline = HTTPSocket.deadline(after: timeoutS)
        status = head.status
        buffer = head.rest
        if head.chunked {
            contentLength = nil
            framing = .chunkSize
        } else if head.status == 204 || head.status == 304 {
            contentLength = 0
            framing = .done
        } else if let length = head.contentLength {
            contentLength = length
            framing = .length(remaining: length)
        } else {
            contentLength = nil
            framing = .untilClose
        }
    }

    deinit {
        close(fd)
    }

    /// The next piece of the body (at most 64 KiB), or nil at its end.
    public func next() throws(HTTPError) -> [UInt8]? {
        while true {
            switch framing {
            case .done:
                return nil
            case .length(let remaining):
                if remaining == 0 {
                    framing = .done
                    return nil
                }
                if buffer.isEmpty, try !receive() {
                    throw failure("the connection closed after \(bodyBytesRead) of \(bodyBytesRead + remaining) bytes")
                }
                let piece = take(min(remaining, buffer.count))
                framing = .length(remaining: remaining - piece.count)
                return piece
            case .untilClose:
                if buffer.isEmpty, try !receive() {
                    framing = .done
                    return nil
                }
                return take(buffer.count)
            case .chunkSize:
                let line = try readLine()
                let sizeText = String(decoding: line, as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingSpaces(), radix: 16), size >= 0 else {
                    throw failure("a bad chunk size '\(String(decoding: line.prefix(20), as: UTF8.self))'")
                }
                if size == 0 {
                    while try !readLine().isEmpty {}  // trailers, then the blank line
                    framing = .done
                    return nil
                }
                framing = .chunkData(remaining: size)
            case .chunkData(let remaining):
                if remaining == 0 {
                    guard try readLine().isEmpty else { throw failure("a chunk longer than its size") }
                    framing = .chunkSize
                    continue
                }
                if buffer.isEmpty, try !receive() {
                    throw failure("the connection closed inside a chunk after \(bodyBytesRead) bytes")
                }
                let piece = take(min(remaining, buffer.count))
                framing = .chunkData(remaining: remaining - piece.count)
                return piece
            }
        }
    }

    // MARK: reading

    private func failure(_ message: String) -> HTTPError {
        HTTPError(url: url, message: message)
    }

    private func take(_ count: Int) -> [UInt8] {
        let piece = Array(buffer.prefix(count))
        buffer.removeFirst(count)
        bodyBytesRead += count
        return piece
    }

    /// Appends what the socket has to the buffer; false at the end of the stream.
    private func receive() throws(HTTPError) -> Bool {
        let bytes = try HTTPSocket.receive(
            fd, count: Self.pieceBytes, until: windowDeadline, url: url, timeoutS: timeoutS)
        buffer.append(contentsOf: bytes)
        windowBytes += bytes.count
        if windowBytes >= Self.pieceBytes {
            windowBytes = 0
            windowDeadline = HTTPSocket.deadline(after: timeoutS)
        }
        return !bytes.isEmpty
    }

    /// A line ending in CRLF (without it), for chunk framing.
    private func readLine() throws(HTTPError) -> [UInt8] {
        while true {
            if let end = buffer.firstIndex(of: 10) {
                var line = Array(buffer[..<end])
                buffer.removeFirst(end + 1)
                if line.last == 13 { line.removeLast() }
                return line
            }
            guard buffer.count < 4096 else { throw failure("a chunk header longer than 4096 bytes") }
            guard try receive() else { throw failure("the connection closed inside the chunk framing") }
        }
    }

    /// Receives until the blank line that ends the head and parses the status and framing.
    static func readHead(
        _ fd: Int32, url: String, until deadline: ContinuousClock.Instant, timeoutS: Double
    ) throws(HTTPError) -> Head {
        var received: [UInt8] = []
        var searchFrom = 0
        while true {
            if let end = headEnd(in: received, from: searchFrom) {
                var head = try parseHead(received[..<end], url: url)
                head.rest = Array(received[(end + 4)...])
                return head
            }
            searchFrom = max(0, received.count - 3)
            guard received.count < maxHeadBytes else {
                throw HTTPError(url: url, message: "no end of the HTTP response header in \(maxHeadBytes) bytes")
            }
            let bytes = try HTTPSocket.receive(fd, count: pieceBytes, until: deadline, url: url, timeoutS: timeoutS)
            guard !bytes.isEmpty else { throw HTTPError(url: url, message: "no HTTP response header") }
            received.append(contentsOf: bytes)
        }
    }

    private static func headEnd(in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var index = start
        while index + 3 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
                return index
            }
            index += 1
        }
        return nil
    }

    static func parseHead(_ bytes: ArraySlice<UInt8>, url: String) throws(HTTPError) -> Head {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw HTTPError(url: url, message: "bad status line \(statusLine.prefix(80))")
        }
        var head = Head(status: status, contentLength: nil, chunked: false, rest: [])
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            if name == "content-length" {
                guard let length = Int(value), length >= 0 else {
                    throw HTTPError(url: url, message: "a bad Content-Length '\(value.prefix(20))'")
                }
                head.contentLength = length
            } else if name == "transfer-encoding" {
                head.chunked = value.lowercased().contains("chunked")
            }
        }
        return head
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
