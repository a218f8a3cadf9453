#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// How a streaming verb (`events --tail`, `monitor --mode events|narrate`, `watch`, the event
/// relay) ended, and the exit code that says so (documented in docs/commands.md).
public enum StreamEnd: Sendable, Equatable {
    /// SIGINT or SIGTERM: someone asked it to stop. Exit 0.
    case stopRequested
    /// The reader of stdout went away: a closed pipe (EPIPE), a dropped ssh session, a closed
    /// stdout. Exit 141, what a shell reports for a writer killed by SIGPIPE, so `| head` pipelines
    /// read as they always have.
    case readerGone
    /// SIGHUP: the terminal or the `ssh -t` session hung up. Exit 129 (128 + SIGHUP).
    case hangUp

    public var exitCode: Int32 {
        switch self {
        case .stopRequested: return ExitCode.success
        case .readerGone: return ExitCode.readerGone
        case .hangUp: return ExitCode.hangUp
        }
    }

    /// The stderr line for the operator's journal (nil for a requested stop, which says enough).
    public var notice: String? {
        switch self {
        case .stopRequested: return nil
        case .readerGone: return "stdout's reader went away (closed pipe or dropped ssh session); exiting \(exitCode)"
        case .hangUp: return "hung up (SIGHUP); exiting \(exitCode)"
        }
    }
}

/// What a streaming loop checks between two polls of its source: a stop request (SIGINT,
/// SIGTERM), a hang-up (SIGHUP) and the reader of its stdout going away. Without the last check
/// such a loop lives on, unseen, for as long as nothing new is written (see ``OutputReader``).
///
/// Install the handlers with `StopRequest.installSignalHandlers(hangUp: true)` first: SIGPIPE is
/// then ignored (a write to a closed pipe fails with EPIPE, which the next check sees as POLLERR)
/// and SIGHUP is recorded instead of killing the process, so a relay can still end its ssh child.
public struct StreamWatch: Sendable {
    public let reader: OutputReader
    public let stop: StopRequest
    /// The longest single wait: signals that land on another thread are seen within it.
    public static let tick: Duration = .milliseconds(200)

    public init(reader: OutputReader, stop: StopRequest = StopRequest()) {
        self.reader = reader
        self.stop = stop
    }

    /// Watches the reader of `output`.
    public init(output: any TextOutput, stop: StopRequest = StopRequest()) {
        self.init(reader: OutputReader(output), stop: stop)
    }

    /// How the stream must end now, or nil to go on.
    public func check() -> StreamEnd? {
        if let signal = stop.signalNumber { return signal == SIGHUP ? .hangUp : .stopRequested }
        return reader.isGone ? .readerGone : nil
    }

    /// Waits `interval`, waking at once when the reader goes away and within ``tick`` for a
    /// signal; returns how the stream must end, or nil once the interval has passed.
    public func pause(_ interval: Duration) -> StreamEnd? {
        let deadline = ContinuousClock.now + interval
        while true {
            if let end = check() { return end }
            let left = deadline - .now
            if left <= .zero { return nil }
            if reader.waitUntilGone(upTo: min(left, Self.tick)) { return check() ?? .readerGone }
        }
    }
}
