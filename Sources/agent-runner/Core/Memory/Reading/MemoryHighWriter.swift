import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Writes a cgroup v2 `memory.high`: the brake's one side effect. Reports how long the write
/// took (the kernel reclaims synchronously down to a lowered limit, which can take a while on a
/// swapping host) or the errno that refused it.
public struct MemoryHighWriter: Sendable {
    public init() {}

    /// Writes `value` (`max` for ``CgroupLimit/unlimited``) to `path`.
    public func write(_ value: CgroupLimit, to path: String) -> Result<Double, MemoryHighWriteError> {
        let started = ContinuousClock.now
        let text: String
        switch value {
        case .unlimited: text = "max\n"
        case .bytes(let bytes): text = "\(bytes)\n"
        }
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(MemoryHighWriteError(path: path, errno: errno)) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        while true {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written == bytes.count else {
                return .failure(MemoryHighWriteError(path: path, errno: written < 0 ? errno : EIO))
            }
            break
        }
        let elapsed = ContinuousClock.now - started
        return .success(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    }
}

/// `memory.high` could not be written.
public struct MemoryHighWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String { "cannot write \(path): \(SystemError.text(errno))" }
}
