/// Why bytes are not a usable TZif zone file (truncated, damaged, or a kind we refuse).
public struct TZifFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, e.g. `truncated data block (1204 bytes needed, 300 left)`.
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
