/// The reason a TOML document was rejected, with the position of the offending input so callers
/// can report `file:line:column` diagnostics.
public struct TOMLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem was detected (the start of the bad token, key or character).
    public var position: TOMLPosition
    /// A human-readable explanation, without position information.
    public var message: String

    /// Creates an error at `position` explaining `message`.
    public init(position: TOMLPosition, message: String) {
        self.position = position
        self.message = message
    }

    /// `"line L, column C: message"`.
    public var description: String {
        "line \(position.line), column \(position.column): \(message)"
    }
}
