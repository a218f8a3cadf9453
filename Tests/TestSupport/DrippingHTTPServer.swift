import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback server that reads each request head and then sends `answer` one byte every
/// `interval`, until the answer ends or the client goes away: the server that held
/// `fleetctl watch --once` for 81 s when the client's timeout was per read (issue 23).
public final class DrippingHTTPServer: @unchecked Sendable {
    // `port` and `fd` are set once in init; the thread owns the accepted connections.
    public let port: Int
    private let fd: Int32
    private let stopped = Mutex(false)

    public init(answer: [UInt8], interval: useconds_t) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            while !stopped.withLock({ $0 }) {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                var head: [UInt8] = []
                var byte: UInt8 = 0
                while !head.suffix(4).elementsEqual([13, 10, 13, 10]), recv(client, &byte, 1, 0) == 1 {
                    head.append(byte)
                }
                for byte in answer where !stopped.withLock({ $0 }) {
                    guard [byte].withUnsafeBytes({ send(client, $0.baseAddress, 1, Int32(MSG_NOSIGNAL)) }) == 1
                    else { break }
                    usleep(interval)
                }
                close(client)
            }
        }
    }

    /// Stops accepting and dripping (the thread ends at its next byte).
    public func stop() {
        stopped.withLock { $0 = true }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
