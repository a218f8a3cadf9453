/// The result of a completed `run`.
public struct ProcessOutput: Sendable, Equatable {
    public var exit: ExitStatus
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// The child wrote more than the capture limit; `stdout` holds the first `limit` bytes.
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
    /// The request's deadline passed and the process group was terminated.
    public var timedOut: Bool
    /// From spawn until the exit was observed (monotonic clock).
    public var duration: Duration

    public init(
        exit: ExitStatus,
        stdout: [UInt8] = [],
        stderr: [UInt8] = [],
        stdoutTruncated: Bool = false,
        stderrTruncated: Bool = false,
        timedOut: Bool = false,
        duration: Duration = .zero
    ) {
        self.exit = exit
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.timedOut = timedOut
        self.duration = duration
    }

    /// `stdout` as text; invalid UTF-8 becomes U+FFFD rather than failing.
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// `stderr` as text; invalid UTF-8 becomes U+FFFD rather than failing.
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}
