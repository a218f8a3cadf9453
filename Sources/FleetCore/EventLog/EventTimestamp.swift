/// The timestamp format of the `ts` field: `YYYY-MM-DDTHH:MM:SS.mmmZ`, UTC, milliseconds.
///
/// Formatting truncates to milliseconds (like Python's `isoformat(timespec="milliseconds")`).
/// Parsing is lenient about what other writers and operators produce: the fraction may be
/// missing or have any number of digits (digits past nanoseconds are ignored), and the zone may
/// be `Z`, a `±HH:MM` / `±HHMM` offset (converted to UTC), or absent (taken as UTC).
public enum EventTimestamp {
    /// Formats `instant` as `2026-11-25T13:38:29.971Z`.
    public static func format(_ instant: UTCInstant) -> String {
        let c = instant.components
        var text = ""
        text.reserveCapacity(24)
        if c.year < 0 { text += "-" }
        text += padded(c.year.magnitude, 4) + "-" + padded(UInt64(c.month), 2) + "-" + padded(UInt64(c.day), 2)
        text += "T" + padded(UInt64(c.hour), 2) + ":" + padded(UInt64(c.minute), 2) + ":" + padded(UInt64(c.second), 2)
        text += "." + padded(UInt64(c.nanosecond / 1_000_000), 3) + "Z"
        return text
    }

    /// Parses a timestamp, or returns nil when it is not one (or names an impossible date).
    ///
    /// Reads the string's UTF-8 in place (no copy): the fleet's detectors parse every event
    /// timestamp of every host on every poll.
    public static func parse(_ text: String) -> UTCInstant? {
        var text = text
        return text.withUTF8 { bytes in
            if let instant = canonical(bytes) { return instant }
            var scanner = Scanner(bytes: bytes)
            return scanner.parse()
        }
    }

    /// The fast path for the form every writer of ours produces, `YYYY-MM-DDTHH:MM:SS.mmmZ`
    /// (fixed positions, straight-line digit arithmetic); nil for anything else, which the
    /// general scanner then reads.
    @inline(__always)
    private static func canonical(_ bytes: UnsafeBufferPointer<UInt8>) -> UTCInstant? {
        guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "."),
            bytes[23] == UInt8(ascii: "Z")
        else { return nil }
        var invalid = false
        func digits(_ start: Int, _ count: Int) -> Int {
            var value = 0
            for position in start..<start + count {
                let digit = bytes[position] &- UInt8(ascii: "0")
                invalid = invalid || digit > 9
                value = value * 10 + Int(digit)
            }
            return value
        }
        let components = UTCInstant.Components(
            year: Int64(digits(0, 4)), month: digits(5, 2), day: digits(8, 2), hour: digits(11, 2),
            minute: digits(14, 2),
            second: digits(17, 2), nanosecond: digits(20, 3) * 1_000_000
        )
        guard !invalid else { return nil }
        return UTCInstant(components)
    }

    private static func padded(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func parse() -> UTCInstant? {
            guard let year = number(digits: 4), literal("-"),
                let month = number(digits: 2), literal("-"),
                let day = number(digits: 2), literal("T"),
                let hour = number(digits: 2), literal(":"),
                let minute = number(digits: 2), literal(":"),
                let second = number(digits: 2)
            else { return nil }
            var nanosecond = 0
            if literal(".") {
                var digitCount = 0
                while position < bytes.count, let digit = digitValue(bytes[position]) {
                    if digitCount < 9 { nanosecond = nanosecond * 10 + digit }
                    digitCount += 1
                    position += 1
                }
                guard digitCount > 0 else { return nil }
                for _ in min(digitCount, 9)..<9 { nanosecond *= 10 }
            }
            var offsetSeconds: Int64 = 0
            if literal("Z") {
                // UTC
            } else if position < bytes.count,
                bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")
            {
                let sign: Int64 = bytes[position] == UInt8(ascii: "-") ? -1 : 1
                position += 1
                guard let offsetHours = number(digits: 2) else { return nil }
                _ = literal(":")
                guard let offsetMinutes = number(digits: 2), offsetHours <= 23, offsetMinutes <= 59 else { return nil }
                offsetSeconds = sign * Int64(offsetHours * 3_600 + offsetMinutes * 60)
            }
            guard position == bytes.count else { return nil }
            let components = UTCInstant.Components(
                year: Int64(year), month: month, day: day, hour: hour, minute: minute, second: second,
                nanosecond: nanosecond
            )
            return UTCInstant(components)?.adding(seconds: -offsetSeconds)
        }

        private mutating func number(digits: Int) -> Int? {
            guard position + digits <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<digits {
                guard let digit = digitValue(bytes[position + offset]) else { return nil }
                value = value * 10 + digit
            }
            position += digits
            return value
        }

        private mutating func literal(_ character: Unicode.Scalar) -> Bool {
            guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
            position += 1
            return true
        }

        private func digitValue(_ byte: UInt8) -> Int? {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
        }
    }
}
