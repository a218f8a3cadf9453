import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The socket side of the hand-made HTTP servers tests run against (a raw scripted answer, a
/// dripping one): a listener on 127.0.0.1 at a free port, and a request head read to its blank line.
public enum LoopbackListener {
    /// A listening socket on 127.0.0.1 (close-on-exec) and the port the kernel gave it.
    public static func open() throws -> (fd: Int32, port: Int) {
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
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Reads `client` byte by byte up to the blank line that ends a request head (or its EOF).
    @discardableResult
    public static func readHead(_ client: Int32) -> [UInt8] {
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.suffix(4).elementsEqual([13, 10, 13, 10]), recv(client, &byte, 1, 0) == 1 {
            head.append(byte)
        }
        return head
    }
}
