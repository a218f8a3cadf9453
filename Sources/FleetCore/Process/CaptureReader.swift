import Dispatch
import Glibc
import Synchronization

/// Drains one capture pipe on its own thread, keeping at most `limit` bytes.
///
/// Each captured stream has its own reader, so a child that fills the stderr pipe while
/// the supervisor would be reading stdout (or the reverse) can never deadlock. Past the
/// limit the reader keeps draining and discards, so the child never blocks on a full pipe.
final class CaptureReader: Sendable {
    private struct Buffer {
        var bytes: [UInt8] = []
        var truncated = false
    }

    private let fd: Int32
    private let limit: Int
    private let buffer = Mutex(Buffer())
    private let done = DispatchSemaphore(value: 0)

    /// Takes ownership of `fd` (the parent's read end); `run` closes it.
    init(fd: Int32, limit: Int) {
        self.fd = fd
        self.limit = max(0, limit)
    }

    /// Thread body: reads until EOF, or until `wakeFD` reports hang-up, which `ProcessIO`
    /// causes once the child has exited and the drain period is over. That second exit is
    /// what keeps a grandchild holding the pipe open from hanging the caller.
    func run(wakeFD: Int32) {
        defer {
            Descriptor.close(fd)
            done.signal()
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var watched = [
            pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            watched[0].revents = 0
            watched[1].revents = 0
            if poll(&watched, 2, -1) < 0 {
                if errno == EINTR { continue }
                return
            }
            if watched[1].revents != 0 { return }
            guard watched[0].revents != 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                keep(chunk[0..<count])
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                return
            }
        }
    }

    private func keep(_ bytes: ArraySlice<UInt8>) {
        buffer.withLock { buffer in
            let room = limit - buffer.bytes.count
            if bytes.count <= room {
                buffer.bytes.append(contentsOf: bytes)
            } else {
                buffer.bytes.append(contentsOf: bytes.prefix(room))
                buffer.truncated = true
            }
        }
    }

    /// Waits until the reader has hit EOF, or until `deadline`. Returns whether it finished.
    /// Called at most once (the semaphore is consumed).
    func waitUntilDone(deadline: ContinuousClock.Instant) -> Bool {
        let remaining = max(.zero, deadline - ContinuousClock.now)
        let (seconds, attoseconds) = remaining.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        return done.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success
    }

    /// What was captured so far and whether anything was dropped.
    var captured: (bytes: [UInt8], truncated: Bool) {
        buffer.withLock { ($0.bytes, $0.truncated) }
    }
}
