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
        (fd, port) = try LoopbackListener.open()
        Thread.detachNewThread { [self] in
            while !stopped.withLock({ $0 }) {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                LoopbackListener.readHead(client)
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
