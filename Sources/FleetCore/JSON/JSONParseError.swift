/// Why a JSON document was rejected, and where.
///
/// `offset` is the 0-based byte offset into the input at which the problem was found, so an
/// operator can locate it with `cut -b` or `dd skip=`; the description includes it.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the problem in the input.
    public let offset: Int
    /// What is wrong, in words.
    public let message: String

    /// Creates an error at a byte offset.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}
