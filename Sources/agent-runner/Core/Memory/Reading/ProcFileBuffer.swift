#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One fixed buffer that `/proc` and cgroup files are read into with `read(2)`, allocated once
/// and reused for every sample, so sampling every 10 s for weeks costs no heap traffic.
///
/// Not thread-safe: the bytes of a read are valid until the next read. One per sampling loop
/// (the in-round watch and the pre-round gate run on serve's loop thread, one after the other).
public final class ProcFileBuffer {
    /// Larger than any file read here (`/proc/vmstat` is about 4 KiB on 6.x kernels); a longer
    /// file is cut at the end of the buffer and its later fields read as absent.
    public static let defaultCapacity = 16 << 10

    private let storage: UnsafeMutableRawBufferPointer

    public init(capacity: Int = ProcFileBuffer.defaultCapacity) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
    }

    deinit { storage.deallocate() }

    /// The bytes of the file at `path`, valid until the next call; nil when it cannot be opened
    /// or read, or is empty (PSI turned off, a controller not enabled for the cgroup).
    public func read(_ path: ProcFilePath) -> UnsafeRawBufferPointer? {
        let fd = path.bytes.withUnsafeBufferPointer { open($0.baseAddress!, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var filled = 0
        while filled < storage.count {
            let count = Glibc.read(fd, storage.baseAddress! + filled, storage.count - filled)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { break }
            filled += count
        }
        return filled > 0 ? UnsafeRawBufferPointer(rebasing: storage[0..<filled]) : nil
    }
}

/// A path kept as the NUL-terminated bytes `open(2)` takes: passing a `String` to a C function
/// copies it into a temporary C string on every call, which the per-tick reads must not do.
public struct ProcFilePath: Sendable, Equatable {
    public let path: String
    let bytes: ContiguousArray<CChar>

    public init(_ path: String) {
        self.path = path
        bytes = path.utf8CString
    }
}

@available(*, unavailable)
extension ProcFileBuffer: Sendable {}
