import FleetCore

/// A reset time a CLI printed in its own words, parsed only where the text cannot mean anything
/// else: "Please try again in 20s", "retry after 1m30s", "Please retry in 37.48s",
/// "retry-after: 20"; "resets 12:18am (UTC)", "resets Dec 5, 6:52am (UTC)".
///
/// Not parsed, so the classification's default back-off applies: a bare number without a unit
/// ("try again in 5"), "try again later", a wall-clock time without "(UTC)" (whose time zone?),
/// a time that passed less than an hour ago (claude rounds to the minute or hour: that is the
/// current window, not tomorrow's), and the CLI's own retry delays ("Retrying in 0.5 seconds").
enum ResetHint: Equatable {
    /// A reset stated as a time of day or date (UTC): a server-stated window.
    case at(Int64)
    /// A wait stated as a duration, in whole seconds (rounded up).
    case after(Int64)

    /// The longest hint believed; anything further is junk.
    static let maxAheadS: Int64 = 366 * 86_400

    /// The first unambiguous hint in `text`, relative to `now` (Unix seconds).
    static func parse(_ text: String, now: Int64) -> ResetHint? {
        let lowered = String(text.lowercased().map { $0 == "\u{00A0}" ? " " : $0 })
        if let seconds = relative(lowered), seconds <= maxAheadS { return .after(seconds) }
        if let epoch = absolute(lowered, now: now) { return .at(epoch) }
        return nil
    }

    // MARK: Durations

    private static let durationLeads = ["try again in ", "try again after ", "retry in ", "retry after "]
    private static let headerLeads = ["retry-after: ", "retry-after:", "retry_after: ", "retry_after="]

    private static func relative(_ text: String) -> Int64? {
        for lead in durationLeads {
            for range in text.ranges(of: lead) {
                if let seconds = duration(text[range.upperBound...], unitRequired: true) { return seconds }
            }
        }
        for lead in headerLeads {
            if let range = text.firstRange(of: lead),
                let seconds = duration(text[range.upperBound...], unitRequired: false)
            {
                return seconds
            }
        }
        return nil
    }

    private static let units: [(names: [String], seconds: Double)] = [
        (["ms", "msec", "millisecond", "milliseconds"], 0.001),
        (["s", "sec", "secs", "second", "seconds"], 1),
        (["m", "min", "mins", "minute", "minutes"], 60),
        (["h", "hr", "hrs", "hour", "hours"], 3600),
        (["d", "day", "days"], 86_400),
    ]

    /// "20s", "1m30s", "6m0s", "37.48s", "2 minutes", "120ms"; a bare number only if allowed.
    private static func duration(_ text: Substring, unitRequired: Bool) -> Int64? {
        var rest = text
        var total = 0.0
        var groups = 0
        while true {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number.first != ".", let value = Double(number) else { break }
            var after = rest[number.endIndex...]
            if after.first == " " { after = after.dropFirst() }
            let word = after.prefix { $0.isASCII && $0.isLetter }
            guard let unit = units.first(where: { $0.names.contains(String(word)) }) else {
                if groups == 0 && !unitRequired && word.isEmpty { return Int64(value.rounded(.up)) }
                break
            }
            total += value * unit.seconds
            groups += 1
            rest = after[word.endIndex...]
        }
        guard groups > 0, total.isFinite, total >= 0, total < Double(maxAheadS) else { return nil }
        return Int64(total.rounded(.up))
    }

    // MARK: Wall-clock times

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func absolute(_ text: String, now: Int64) -> Int64? {
        for range in text.ranges(of: "resets ") {
            var rest = text[range.upperBound...]
            if rest.hasPrefix("at ") { rest = rest.dropFirst(3) }
            var date: (month: Int, day: Int)?
            if let month = months.firstIndex(where: { rest.hasPrefix($0) }) {
                rest = rest.drop { $0.isLetter }.drop { $0 == " " }
                let day = rest.prefix { $0.isASCII && $0.isNumber }
                guard let dayValue = Int(day), day.count <= 2 else { continue }
                date = (month + 1, dayValue)
                rest = rest[day.endIndex...].drop { $0 == "," || $0 == " " }
                if rest.hasPrefix("at ") { rest = rest.dropFirst(3) }
            }
            guard let (hour, minute, after) = clock(rest), after.hasPrefix(" (utc)") else { continue }
            return nextOccurrence(month: date?.month, day: date?.day, hour: hour, minute: minute, now: now)
        }
        return nil
    }

    /// "12:18am", "3am", "6:52pm", "18:30" → hour and minute in 24-hour time.
    private static func clock(_ text: Substring) -> (Int, Int, Substring)? {
        let hourDigits = text.prefix { $0.isASCII && $0.isNumber }
        guard (1...2).contains(hourDigits.count), var hour = Int(hourDigits) else { return nil }
        var rest = text[hourDigits.endIndex...]
        var minute = 0
        var hasMinutes = false
        if rest.first == ":" {
            let minuteDigits = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
            guard minuteDigits.count == 2, let value = Int(minuteDigits), value < 60 else { return nil }
            minute = value
            hasMinutes = true
            rest = rest.dropFirst(3)
        }
        if rest.hasPrefix("am") || rest.hasPrefix("pm") {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + (rest.hasPrefix("pm") ? 12 : 0)
            rest = rest.dropFirst(2)
        } else if !hasMinutes || hour > 23 {
            return nil
        }
        return (hour, minute, rest)
    }

    private static func nextOccurrence(month: Int?, day: Int?, hour: Int, minute: Int, now: Int64) -> Int64? {
        let today = UTCInstant(seconds: now).components
        func instant(year: Int64, month: Int, day: Int) -> Int64? {
            UTCInstant(UTCInstant.Components(year: year, month: month, day: day, hour: hour, minute: minute))?.seconds
        }
        let candidates: [Int64?]
        if let month, let day {
            candidates = [
                instant(year: today.year, month: month, day: day),
                instant(year: today.year + 1, month: month, day: day),
            ]
        } else {
            let midnight = instant(year: today.year, month: today.month, day: today.day)
            candidates = [midnight, midnight.map { $0 + 86_400 }]
        }
        for case let candidate? in candidates {
            if candidate > now { return candidate - now <= maxAheadS ? candidate : nil }
            if now - candidate < 3600 { return nil }
        }
        return nil
    }
}
