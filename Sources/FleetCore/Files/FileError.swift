/// A failure of a file operation, naming the path and saying what to do about it.
public struct FileError: Error, Sendable, CustomStringConvertible {
    /// The file the operation was about.
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

    /// "cannot <action> <path>: <errno text>; <advice>" plus an optional closing remark.
    init(_ action: String, path: String, failure: SystemIO.Failure, note: String? = nil) {
        var message = "cannot \(action) \(path): \(SystemIO.describe(failure.code))"
        if let note { message += ". \(note)" }
        self.init(path: path, errorNumber: failure.code, message: message)
    }

    public var description: String { message }
}
