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
        TimeZoneError(code: .unknownZone, zone: zone, message: "unknown IANA zone \(quoted(zone))" + (reason.map { " (\($0))" } ?? ""))
    }

    /// Python's `repr` of a string, the quoting the original tool's messages use.
    static func quoted(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var result = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where Character(scalar) == quote: result += "\\" + String(quote)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                result += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            default: result.unicodeScalars.append(scalar)
            }
        }
        result.append(quote)
        return result
    }
}
