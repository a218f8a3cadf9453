#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Where a command writes: stdout for machine output (`--json`, JSON Lines), stderr for human
/// messages. Behind a protocol so tests capture output without touching the terminal.
public protocol TextOutput: Sendable {
    func write(_ text: String)
}

/// Writes straight to a file descriptor, unbuffered: every call is visible at once, which is
/// what `tail -f`, pipes into `jq` and systemd's journal expect from a long-running command.
public struct FileDescriptorOutput: TextOutput {
    public let fd: Int32

    public init(fd: Int32) {
        self.fd = fd
    }

    public static let standardOutput = FileDescriptorOutput(fd: 1)
    public static let standardError = FileDescriptorOutput(fd: 2)

    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return  // EPIPE (reader went away) or a closed descriptor: nothing useful to do.
            }
            offset += written
        }
    }

    /// Whether the descriptor is a terminal (for in-place redraws and colour).
    public var isTerminal: Bool { isatty(fd) == 1 }
}
