/// A failure reading or writing the event log, naming the file and saying what to do.
public struct EventLogError: Error, Sendable, CustomStringConvertible {
    /// The file or directory involved.
    public let path: String
    /// The errno of the failed system call, when one failed.
    public let errorNumber: Int32?
    /// The complete explanation, ready to show an operator.
    public let message: String

    /// Creates an error with a ready-made message.
    public init(path: String, errorNumber: Int32? = nil, message: String) {
        self.path = path
        self.errorNumber = errorNumber
        self.message = message
    }

    /// An error for a failed system call: "cannot <action> <path>: <errno text>; <advice>".
    init(_ action: String, path: String, failure: SystemIO.Failure) {
        self.init(
            path: path, errorNumber: failure.code,
            message: "cannot \(action) \(path): \(SystemIO.describe(failure.code))")
    }

    public var description: String { message }
}
