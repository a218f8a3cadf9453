/// A POSIX `TZ` rule that does not follow the grammar.
public struct PosixTimeZoneRuleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was expected, with the position (`expected an hour (0-24) at character 4 of 'CET+99'`).
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
