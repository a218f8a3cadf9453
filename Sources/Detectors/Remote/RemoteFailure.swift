/// One poll that could not reach the host: ssh (or the remote peek) failed.
public struct RemoteFailure: Sendable, Equatable {
    /// ssh's exit status (255 for a connection failure).
    public var returncode: Int
    /// The tail of ssh's stderr, which says why (`Connection refused`, `Could not resolve …`).
    public var stderrTail: String

    public init(returncode: Int, stderrTail: String) {
        self.returncode = returncode
        self.stderrTail = stderrTail
    }
}
