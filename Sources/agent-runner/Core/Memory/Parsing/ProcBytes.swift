/// Keys and numbers read straight out of the bytes of a `/proc` or cgroup file.
///
/// The in-round memory floor samples every 10 s for the whole life of every round, on hosts with
/// 512 MB of RAM, so the parsers build no `String` and no array: they walk the bytes a
/// ``ProcFileBuffer`` read into its fixed buffer and return plain values.
/// `MemoryParsingAllocationTests` pins that (zero Swift heap allocations over 10,000 samples).
enum ProcBytes {
    static let newline = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
    static let equals = UInt8(ascii: "=")

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    @inline(__always)
    static func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// Calls `body` with the range of each line (newline excluded) until it returns false.
    static func forEachLine(_ bytes: UnsafeRawBufferPointer, _ body: (Range<Int>) -> Bool) {
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != newline { end += 1 }
            if end > start, !body(start..<end) { return }
            start = end + 1
        }
    }

    /// Whether the bytes at `index` spell `word` and are followed by `terminator` (inside `limit`).
    static func matches(
        _ bytes: UnsafeRawBufferPointer, at index: Int, limit: Int, _ word: StaticString, then terminator: UInt8
    ) -> Bool {
        word.withUTF8Buffer { key in
            let after = index + key.count
            guard after < limit, bytes[after] == terminator else { return false }
            for offset in 0..<key.count where bytes[index + offset] != key[offset] { return false }
            return true
        }
    }

    /// Whether the bytes at `index` spell `word` (inside `limit`).
    static func matches(_ bytes: UnsafeRawBufferPointer, at index: Int, limit: Int, _ word: StaticString) -> Bool {
        word.withUTF8Buffer { key in
            guard index + key.count <= limit else { return false }
            for offset in 0..<key.count where bytes[index + offset] != key[offset] { return false }
            return true
        }
    }

    /// The decimal integer whose first digit is the first non-blank byte at or after `index`;
    /// nil when there is none or it overflows `Int64`. `index` is left after the last digit.
    static func integer(_ bytes: UnsafeRawBufferPointer, from index: inout Int, limit: Int) -> Int64? {
        while index < limit && isBlank(bytes[index]) { index += 1 }
        guard index < limit, isDigit(bytes[index]) else { return nil }
        var value: Int64 = 0
        while index < limit, isDigit(bytes[index]) {
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(Int64(bytes[index] &- UInt8(ascii: "0")))
            guard !overflowTimes, !overflowSum else { return nil }
            value = sum
            index += 1
        }
        return value
    }

    /// A non-negative decimal such as `12.34` at `index` (PSI averages); nil when there is none.
    /// Digits and scale are gathered as integers and divided once, so `63.85` reads as the
    /// same Double as the literal.
    static func decimal(_ bytes: UnsafeRawBufferPointer, from index: inout Int, limit: Int) -> Double? {
        guard let whole = integer(bytes, from: &index, limit: limit) else { return nil }
        guard index < limit, bytes[index] == UInt8(ascii: "."), whole < 1 << 40 else { return Double(whole) }
        index += 1
        var digits = whole
        var scale: Int64 = 1
        while index < limit, isDigit(bytes[index]) {
            if scale < 1_000_000 {
                digits = digits * 10 + Int64(bytes[index] &- UInt8(ascii: "0"))
                scale *= 10
            }
            index += 1
        }
        return Double(digits) / Double(scale)
    }

    /// The integer after `key` and `separator` on a line that starts with them
    /// (`MemFree:   12 kB` with `:`; `pswpout 0` with a space); nil for any other line.
    static func field(
        _ bytes: UnsafeRawBufferPointer, line: Range<Int>, _ key: StaticString, separator: UInt8
    ) -> Int64? {
        guard matches(bytes, at: line.lowerBound, limit: line.upperBound, key, then: separator) else { return nil }
        var index = line.lowerBound + key.utf8CodeUnitCount + 1
        return integer(bytes, from: &index, limit: line.upperBound)
    }

    /// The content of a one-value file (`memory.current`) without surrounding blanks and newline.
    static func trimmed(_ bytes: UnsafeRawBufferPointer) -> Range<Int> {
        var start = 0
        var end = bytes.count
        while start < end && (isBlank(bytes[start]) || bytes[start] == newline) { start += 1 }
        while end > start && (isBlank(bytes[end - 1]) || bytes[end - 1] == newline) { end -= 1 }
        return start..<end
    }

    /// A one-value counter file (`memory.current`, `memory.failcnt`); nil when it is not a number.
    static func counter(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let range = trimmed(bytes)
        var index = range.lowerBound
        guard let value = integer(bytes, from: &index, limit: range.upperBound), index == range.upperBound else {
            return nil
        }
        return value
    }
}
