/// Reads the POSIX `TZ` grammar: `std offset [dst [offset] [,start[/time],end[/time]]]`.
///
/// Names are three or more letters or `<...>` quoted (letters, digits, `+`, `-`); offsets are
/// `[+-]hh[:mm[:ss]]` west of UTC (the opposite sign of ISO 8601) with hours 0...24; rule times
/// may reach ±167 hours. A daylight-saving name without a rule takes the US rule
/// `M3.2.0,M11.1.0`, as the reference tzcode does.
struct PosixTimeZoneRuleParser {
    private let text: String
    private let bytes: [UInt8]
    private var position = 0

    init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    mutating func parse() throws(PosixTimeZoneRuleError) -> (LocalTimeType, PosixTimeZoneRule.DaylightSaving?) {
        let standardName = try name()
        let standardOffset = try offset()
        let standard = LocalTimeType(utcOffset: standardOffset, isDaylightSaving: false, abbreviation: standardName)
        if atEnd { return (standard, nil) }
        let daylightName = try name()
        var daylightOffset = standardOffset + 3_600
        if let next = peek, next == UInt8(ascii: "+") || next == UInt8(ascii: "-") || isDigit(next) {
            daylightOffset = try offset()
        }
        let daylight = LocalTimeType(utcOffset: daylightOffset, isDaylightSaving: true, abbreviation: daylightName)
        let start: PosixTimeZoneRule.Change
        let end: PosixTimeZoneRule.Change
        if atEnd {
            start = PosixTimeZoneRule.Change(day: .monthWeekDay(month: 3, week: 2, weekday: 0), time: 7_200)
            end = PosixTimeZoneRule.Change(day: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7_200)
        } else {
            try expect(",")
            start = try change()
            try expect(",")
            end = try change()
        }
        guard atEnd else { throw failure("the end of the rule") }
        return (standard, PosixTimeZoneRule.DaylightSaving(type: daylight, start: start, end: end))
    }

    // MARK: Grammar

    private mutating func name() throws(PosixTimeZoneRuleError) -> String {
        let begin = position
        if peek == UInt8(ascii: "<") {
            position += 1
            let inner = position
            while let byte = peek,
                isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
            {
                position += 1
            }
            guard position - inner >= 3 else {
                throw failure("a quoted zone abbreviation of at least 3 letters, digits, '+' or '-'", at: inner)
            }
            let abbreviation = String(decoding: bytes[inner..<position], as: UTF8.self)
            try expect(">")
            return abbreviation
        }
        while let byte = peek, isLetter(byte) { position += 1 }
        guard position - begin >= 3 else { throw failure("a zone abbreviation of at least 3 letters", at: begin) }
        return String(decoding: bytes[begin..<position], as: UTF8.self)
    }

    /// An offset, returned as seconds east of UTC.
    private mutating func offset() throws(PosixTimeZoneRuleError) -> Int32 {
        -(try signedTime(maxHours: 24, what: "a UTC offset"))
    }

    private mutating func change() throws(PosixTimeZoneRuleError) -> PosixTimeZoneRule.Change {
        let day = try self.day()
        var time: Int32 = 7_200
        if peek == UInt8(ascii: "/") {
            position += 1
            time = try signedTime(maxHours: 167, what: "a change time")
        }
        return PosixTimeZoneRule.Change(day: day, time: time)
    }

    private mutating func day() throws(PosixTimeZoneRuleError) -> PosixTimeZoneRule.Day {
        if peek == UInt8(ascii: "J") {
            position += 1
            return .julianSkippingLeapDay(try number(in: 1...365, what: "a Julian day (1-365)"))
        }
        if peek == UInt8(ascii: "M") {
            position += 1
            let month = try number(in: 1...12, what: "a month (1-12)")
            try expect(".")
            let week = try number(in: 1...5, what: "a week of the month (1-5)")
            try expect(".")
            let weekday = try number(in: 0...6, what: "a weekday (0-6, 0 = Sunday)")
            return .monthWeekDay(month: month, week: week, weekday: weekday)
        }
        return .zeroBasedDayOfYear(try number(in: 0...365, what: "a day of the year (0-365, Jn or Mm.w.d)"))
    }

    /// `[+-]h[h[h]][:mm[:ss]]` in seconds.
    private mutating func signedTime(maxHours: Int, what: String) throws(PosixTimeZoneRuleError) -> Int32 {
        var sign: Int32 = 1
        if peek == UInt8(ascii: "+") {
            position += 1
        } else if peek == UInt8(ascii: "-") {
            sign = -1
            position += 1
        }
        var seconds = try number(in: 0...maxHours, what: "\(what): hours 0-\(maxHours)") * 3_600
        if peek == UInt8(ascii: ":") {
            position += 1
            seconds += try number(in: 0...59, what: "\(what): minutes 0-59") * 60
            if peek == UInt8(ascii: ":") {
                position += 1
                seconds += try number(in: 0...59, what: "\(what): seconds 0-59")
            }
        }
        return sign * Int32(seconds)
    }

    /// A decimal number of at most three digits within `range`.
    private mutating func number(in range: ClosedRange<Int>, what: String) throws(PosixTimeZoneRuleError) -> Int {
        let begin = position
        var value = 0
        while let byte = peek, isDigit(byte), position - begin < 3 {
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            position += 1
        }
        guard position > begin, range.contains(value), !(peek.map(isDigit) ?? false) else {
            throw failure(what, at: begin)
        }
        return value
    }

    // MARK: Scanning

    private var atEnd: Bool { position >= bytes.count }
    private var peek: UInt8? { atEnd ? nil : bytes[position] }

    private mutating func expect(_ character: Unicode.Scalar) throws(PosixTimeZoneRuleError) {
        guard peek == UInt8(ascii: character) else { throw failure("'\(character)'") }
        position += 1
    }

    private func failure(_ expected: String, at offset: Int? = nil) -> PosixTimeZoneRuleError {
        PosixTimeZoneRuleError(message: "expected \(expected) at character \((offset ?? position) + 1) of '\(text)'")
    }

    private func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
