import Glibc

/// An errno value captured immediately after a failing call, before any other call can overwrite it.
struct Errno: Error, Sendable, Equatable {
    let code: Int32

    static var current: Errno { Errno(code: errno) }

    /// The C library's text, e.g. "No such file or directory".
    var text: String { String(cString: strerror(code)) }
}
