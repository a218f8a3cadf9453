import Glibc
import Synchronization

/// The read end of a child's stdout pipe (``ProcessRequest/Output/pipe``), read by the caller
/// while the child runs, in chunks, with a bounded wait so the caller can check for a stop
/// request between two reads.
public final class ReadablePipe: Sendable {
    /// What one read found.
    public enum Chunk: Sendable, Equatable {
        /// Bytes the child wrote (at most 64 KiB).
        case bytes([UInt8])
        /// Nothing within the wait (or a signal ended it early).
        case nothingYet
        /// Every writer closed its end (the child exited, and nothing it started holds the pipe),
        /// or the pipe was closed here.
        case endOfFile
    }

    /// The descriptor, -1 once closed. Held while a read waits, so ``close()`` waits for it.
    private let descriptor: Mutex<Int32>

    /// Takes ownership of `fd`.
    init(fd: Int32) {
        descriptor = Mutex(fd)
    }

    deinit { close() }

    /// Waits up to `timeout` for output and returns it.
    public func read(waitingUpTo timeout: Duration) -> Chunk {
        descriptor.withLock { fd in
            guard fd >= 0 else { return .endOfFile }
            var watched = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&watched, 1, Int32(clamping: (timeout + .microseconds(999)).milliseconds))
            guard ready > 0 else { return .nothingYet }
            var chunk = [UInt8](repeating: 0, count: 64 << 10)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 { return .bytes(Array(chunk[0..<count])) }
            if count < 0 && (errno == EINTR || errno == EAGAIN) { return .nothingYet }
            return .endOfFile
        }
    }

    /// Closes the read end: a child still writing then gets EPIPE (or SIGPIPE).
    public func close() {
        descriptor.withLock { fd in
            if fd >= 0 { Descriptor.close(fd) }
            fd = -1
        }
    }
}
