/// The command line could not be understood. Printed as one line plus a pointer to the verb's
/// help, and the program exits with ``ExitCode/usage``.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in the operator's words (`unknown flag --foo`).
    public var message: String
    /// The verb whose help explains the right usage; nil for the program as a whole.
    public var verb: String?

    public init(_ message: String, verb: String? = nil) {
        self.message = message
        self.verb = verb
    }

    public var description: String { message }
}
