import FleetCore

/// One `[schedule]` window, `[WEEKDAYS ]HH:MM-HH:MM` (config.md §3.8): a 24-hour wall-clock
/// span with an exclusive end, optionally limited to some weekdays.
///
/// `24:00` is valid only as an end. An end at or before the start wraps past midnight, and the
/// wrapped tail belongs to the start day: `Fri 22:00-02:00` covers Friday 22:00 to Saturday
/// 02:00, not Friday 00:00-02:00. Weekdays are `Mon`...`Sun` in any case, as a list, ascending
/// ranges or both (`Mon-Fri,Sun`); no prefix means every day. Parsing and the error texts follow
/// the original tool's `parse_window`, so a config it accepted is accepted here and vice versa.
public struct ScheduleWindow: Sendable, Hashable, CustomStringConvertible {
    /// The window exactly as configured; `schedule_paused.active_window` carries it verbatim.
    public let label: String
    /// Minutes after midnight the window opens, 0...1439.
    public let startMinute: Int
    /// Minutes after midnight it closes (exclusive), 1...1440. At or before `startMinute`
    /// (never equal: zero-length windows are refused) the window runs past midnight.
    public let endMinute: Int
    /// The days the window opens on; empty means every day.
    public let weekdays: Set<Weekday>

    public var description: String { label }

    /// Whether the window runs past midnight into the next day.
    public var wrapsPastMidnight: Bool { startMinute >= endMinute }

    /// Whether the wall clock reading `minuteOfDay` (0...1439) on `weekday` lies in the window.
    public func contains(weekday: Weekday, minuteOfDay minute: Int) -> Bool {
        let inTime =
            wrapsPastMidnight
            ? minute >= startMinute || minute < endMinute
            : startMinute <= minute && minute < endMinute
        guard inTime else { return false }
        if weekdays.isEmpty { return true }
        let startDay = wrapsPastMidnight && minute < endMinute ? weekday.previous : weekday
        return weekdays.contains(startDay)
    }

    // MARK: Parsing

    /// Parses one window; the error message is the original tool's (`invalid window '9-17':
    /// expected [WEEKDAYS ]HH:MM-HH:MM`, `window '25:00-26:00' start: hour 25 out of range`).
    public static func parse(_ text: String) throws(ScheduleWindowError) -> ScheduleWindow {
        let spec = trimmed(text)
        var weekdays: Set<Weekday> = []
        var timePart = spec
        if let gap = spec.firstIndex(where: \.isWhitespace) {
            let rest = String(spec[gap...].drop(while: \.isWhitespace))
            if clockRange(rest) != nil {
                weekdays = try parseWeekdays(String(spec[..<gap]))
                timePart = rest
            }
        }
        guard let (startHour, startMinute, endHour, endMinute) = clockRange(timePart) else {
            throw ScheduleWindowError("invalid window \(repr(text)): expected [WEEKDAYS ]HH:MM-HH:MM")
        }
        let start = try minutes(startHour, startMinute, allow24: false, where: "window \(repr(text)) start")
        let end = try minutes(endHour, endMinute, allow24: true, where: "window \(repr(text)) end")
        guard start != end else {
            throw ScheduleWindowError("invalid window \(repr(text)): start equals end (zero-length)")
        }
        return ScheduleWindow(label: text, startMinute: start, endMinute: end, weekdays: weekdays)
    }

    /// `HH:MM-HH:MM` with exactly two ASCII digits each, as the numbers (hour, minute, hour, minute).
    private static func clockRange(_ text: String) -> (Int, Int, Int, Int)? {
        let bytes = Array(text.utf8)
        guard bytes.count == 11, bytes[2] == UInt8(ascii: ":"), bytes[5] == UInt8(ascii: "-"),
            bytes[8] == UInt8(ascii: ":")
        else { return nil }
        func number(_ at: Int) -> Int? {
            let digits = bytes[at..<at + 2]
            guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
            return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        guard let h1 = number(0), let m1 = number(3), let h2 = number(6), let m2 = number(9) else { return nil }
        return (h1, m1, h2, m2)
    }

    private static func minutes(
        _ hour: Int, _ minute: Int, allow24: Bool, where place: String
    ) throws(ScheduleWindowError) -> Int {
        if hour == 24 {
            guard allow24 && minute == 0 else {
                throw ScheduleWindowError("\(place): 24:00 is only valid as an end bound")
            }
            return 24 * 60
        }
        guard (0...23).contains(hour) else { throw ScheduleWindowError("\(place): hour \(hour) out of range") }
        guard (0...59).contains(minute) else { throw ScheduleWindowError("\(place): minute \(minute) out of range") }
        return hour * 60 + minute
    }

    /// `Mon-Fri,Sun`: comma-separated days and ascending ranges, any case.
    private static func parseWeekdays(_ spec: String) throws(ScheduleWindowError) -> Set<Weekday> {
        var days: Set<Weekday> = []
        for rawToken in spec.split(separator: ",", omittingEmptySubsequences: false) {
            let token = trimmed(String(rawToken)).lowercased()
            if token.isEmpty { throw ScheduleWindowError("empty weekday token in \(repr(spec))") }
            if let dash = token.firstIndex(of: "-") {
                guard let first = Weekday(abbreviation: String(token[..<dash])),
                    let last = Weekday(abbreviation: String(token[token.index(after: dash)...]))
                else {
                    throw ScheduleWindowError("invalid weekday range \(repr(token))")
                }
                guard first <= last else {
                    throw ScheduleWindowError("weekday range must be ascending Mon..Sun: \(repr(token))")
                }
                for raw in first.rawValue...last.rawValue { days.insert(Weekday(rawValue: raw)!) }
            } else {
                guard let day = Weekday(abbreviation: token) else {
                    throw ScheduleWindowError("invalid weekday \(repr(token))")
                }
                days.insert(day)
            }
        }
        return days
    }

    private static func trimmed(_ text: String) -> String {
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// Python's `repr` of the text, the quoting of the original messages.
    private static func repr(_ text: String) -> String {
        Narration.pythonRepr(.string(text))
    }
}
