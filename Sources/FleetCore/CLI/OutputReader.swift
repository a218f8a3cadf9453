#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Whoever reads a streaming verb's stdout: a pipe into `jq`, an ssh session, a terminal.
///
/// Incident (the original 0.3.14, and ours before): `events --tail` started over ssh by a relay
/// kept polling the event log after the link dropped. It only learnt that its pipe was closed when
/// it next wrote a matching event, which with a narrow `--kind` could be days away, so every relay
/// reconnect left one more process on the host. The streaming loops therefore ask the descriptor
/// itself between two polls of the log: a pipe whose reader closed reports POLLERR, a socket or
/// terminal whose peer hung up reports POLLHUP, a descriptor that is not open reports POLLNVAL.
public struct OutputReader: Sendable {
    /// The descriptor watched; nil for an output that is no descriptor (a test's capture), whose
    /// reader never goes away.
    public let fd: Int32?

    public init(fd: Int32?) {
        self.fd = fd
    }

    /// The reader of `output` when it writes to a descriptor.
    public init(_ output: any TextOutput) {
        fd = (output as? FileDescriptorOutput)?.fd
    }

    /// Whether the reader has gone away (checked now, without waiting).
    public var isGone: Bool {
        waitUntilGone(upTo: .zero)
    }

    /// Waits up to `timeout` for the reader to go away; returns whether it did. Returns false
    /// early when a signal interrupts the wait, so callers re-check their stop request.
    public func waitUntilGone(upTo timeout: Duration) -> Bool {
        guard let fd else {
            if timeout > .zero {
                var request = timeout.timespec
                nanosleep(&request, nil)
            }
            return false
        }
        // No events asked for: poll(2) still reports the error and hang-up conditions, and a
        // writable or readable descriptor does not wake it.
        var watched = pollfd(fd: fd, events: 0, revents: 0)
        let milliseconds = Int32(clamping: (timeout + .microseconds(999)).milliseconds)
        guard poll(&watched, 1, milliseconds) > 0 else { return false }
        return watched.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0
    }
}
