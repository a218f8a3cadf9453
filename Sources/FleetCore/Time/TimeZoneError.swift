/// A time zone that could not be loaded. The message names the zone and what to do, and is
/// what a config loader shows after the key (`schedule.timezone: unknown IANA zone 'Europe/Berln'`).
public struct TimeZoneError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// No zone of that name (or not a valid zone name at all).
        case unknownZone
        /// The zone file exists but could not be read (permissions, I/O).
        case unreadable
        /// The zone file is damaged or of a kind we refuse (truncated, `right/` leap seconds).
        case malformed
    }

    public let code: Code
    /// The zone as configured, or `local`.
    public let zone: String
    /// One line for the operator, naming the zone (`unknown IANA zone 'Mars/Olympus'`).
    public let message: String

    public init(code: Code, zone: String, message: String) {
        self.code = code
        self.zone = zone
        self.message = message
    }

    public var description: String { message }

    /// `unknown IANA zone 'X'`, the original tool's wording, plus why when it is not simply absent.
    static func unknown(_ zone: String, because reason: String? = nil) -> TimeZoneError {
        TimeZoneError(
            code: .unknownZone, zone: zone,
            message: "unknown IANA zone \(PythonRepr.string(zone))" + (reason.map { " (\($0))" } ?? ""))
    }
}
