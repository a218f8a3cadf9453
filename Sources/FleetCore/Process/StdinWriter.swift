import Glibc

/// Feeds `.bytes` standard input to the child on its own thread, then closes the pipe so
/// the child sees EOF.
///
/// SIGPIPE: a child that exits without reading (`true`, or `head -c 10`) makes our write
/// fail. Instead of ignoring SIGPIPE process-wide (which would change behaviour for the
/// whole host program), this thread blocks SIGPIPE in its own signal mask: the kernel
/// directs a write's SIGPIPE at the writing thread, so it stays pending there, the write
/// returns EPIPE, and the pending signal is discarded when the thread exits. Children
/// never see the blocked mask: spawn resets it (`POSIX_SPAWN_SETSIGMASK`).
final class StdinWriter: Sendable {
    private let fd: Int32
    private let bytes: [UInt8]

    /// Takes ownership of `fd` (the parent's write end); `run` closes it.
    init(fd: Int32, bytes: [UInt8]) {
        self.fd = fd
        self.bytes = bytes
    }

    /// Thread body: writes until done, until the child closes its end (EPIPE), or until
    /// `wakeFD` hangs up (the child has exited; a grandchild that inherited stdin but never
    /// reads must not keep this thread, and the caller, waiting).
    func run(wakeFD: Int32) {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
        defer { Descriptor.close(fd) }

        // Non-blocking, so a write into a nearly full pipe cannot stall past a wake-up.
        // This changes only the parent's end; the child's end is a separate open file.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var watched = [
            pollfd(fd: fd, events: Int16(POLLOUT), revents: 0),
            pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
        ]
        var offset = 0
        while offset < bytes.count {
            watched[0].revents = 0
            watched[1].revents = 0
            if poll(&watched, 2, -1) < 0 {
                if errno == EINTR { continue }
                return
            }
            if watched[1].revents != 0 { return }
            // POLLERR (no reader left) also lands here: the write then fails with EPIPE.
            guard watched[0].revents != 0 else { continue }
            let written = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return write(fd, base + offset, raw.count - offset)
            }
            if written > 0 {
                offset += written
            } else if written == 0 || (errno != EAGAIN && errno != EINTR) {
                return  // EPIPE: the child stopped reading; nothing left to do.
            }
        }
    }
}
