/// A window string that does not follow `[WEEKDAYS ]HH:MM-HH:MM`; the message is the original
/// tool's wording.
public struct ScheduleWindowError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
