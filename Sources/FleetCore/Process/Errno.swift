import Glibc

/// An errno value captured immediately after a failing call, before any other call can overwrite it.
public struct Errno: Error, Sendable, Equatable {
    public let code: Int32

    init(code: Int32) {
        self.code = code
    }

    static var current: Errno { Errno(code: errno) }

    /// The C library's text, e.g. "No such file or directory".
    public var text: String { String(cString: strerror(code)) }
}
