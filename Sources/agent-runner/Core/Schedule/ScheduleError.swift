/// A `[schedule]` (or `[phases.<name>.schedule]`) value that cannot be used, with the key at
/// fault so a config loader can point at its file and line.
///
/// `message` is the original tool's text after the key: `unknown IANA zone 'Europe/Berln'`,
/// `invalid window '9:00-17:00': expected [WEEKDAYS ]HH:MM-HH:MM`. ``text(table:)`` joins them
/// as the original did: `schedule.timezone: unknown IANA zone 'Europe/Berln'`.
public struct ScheduleError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Key: String, Sendable, Hashable {
        case timezone
        case runWindows = "run_windows"
        case pauseWindows = "pause_windows"
    }

    public let key: Key
    /// The 0-based element of `run_windows` / `pause_windows` at fault; nil for `timezone`.
    public let index: Int?
    public let message: String

    public init(key: Key, index: Int? = nil, message: String) {
        self.key = key
        self.index = index
        self.message = message
    }

    /// What the original says when `run_windows` or `pause_windows` is not a TOML array.
    public static let notAListMessage = "must be a list of window strings"

    /// The dotted key inside `table` (`schedule`, `phases.review.schedule`): `schedule.run_windows`.
    public func dottedKey(table: String = "schedule") -> String {
        "\(table).\(key.rawValue)"
    }

    /// The one-line message the original tool printed: `schedule.run_windows: invalid window ...`.
    public func text(table: String = "schedule") -> String {
        "\(dottedKey(table: table)): \(message)"
    }

    public var description: String { text() }
}
