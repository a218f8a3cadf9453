/// Persisted alert state that cannot be restored, with where it went wrong.
public struct AlertStateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "alert state: \(message)" }
}
