/// Serialises `JSONValue`s byte for byte the way the original Python tool did.
///
/// Matches `json.dumps(..., ensure_ascii=False)`: non-ASCII characters are written raw as UTF-8;
/// `"` and `\` are escaped, control characters become `\n`, `\r`, `\t`, `\b`, `\f` or `\u00xx`
/// (lowercase hex, as Python writes them); floats use Python's `repr` (shortest round-trip
/// digits, exponent form when the exponent is below -4 or at least 16, e.g. `1e-07`, `1e+16`,
/// `1.0`). Object keys keep their insertion order.
///
/// Two departures from Python, both because the output is read by other programs and on
/// terminals: C1 controls, bidi controls and line separators are escaped as `\u00xx` /
/// `\uXXXX` (Python writes them raw), and non-finite floats are written `null` (Python writes
/// `NaN`/`Infinity`, which is not JSON: a host sending `1e999` made `fleetctl peek` print it).
/// `JSONParser` still reads `NaN` and `Infinity` written by the original.
///
/// The writer recurses once per nesting level; values from `JSONParser` are bounded by its depth limit.
public struct JSONWriter: Sendable {
    /// Layout of the output.
    public enum Style: Sendable, Equatable {
        /// No whitespace: `{"a":1,"b":[1,2]}`.
        case compact
        /// `json.dumps` default separators: `{"a": 1, "b": [1, 2]}`; the event-line format.
        case python
        /// `json.dumps(indent: n)`: one member per line, `",\n"` and `": "`; empty containers stay `[]`/`{}`.
        case pretty(indent: Int)
    }

    /// The layout this writer produces.
    public var style: Style

    /// Creates a writer; the default is the event-line (`python`) style.
    public init(style: Style = .python) {
        self.style = style
    }

    /// The UTF-8 encoding of `value`.
    public func encode(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        encode(value, into: &output)
        return output
    }

    /// Appends the UTF-8 encoding of `value` to `output` (lets callers build a line in one buffer).
    public func encode(_ value: JSONValue, into output: inout [UInt8]) {
        write(value, level: 0, into: &output)
    }

    /// The encoding of `value` as a string.
    public func string(_ value: JSONValue) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    /// Formats a double exactly as Python's `repr(float)` / `json.dumps` does.
    public static func formatDouble(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        let sign = value.sign == .minus ? "-" : ""
        if value == 0 { return sign + "0.0" }
        // Swift's description yields the shortest round-trip digits; re-lay them out by Python's rules
        // rather than relying on Swift's own choice of notation.
        let text = value.magnitude.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integerDigits = mantissa[0]
        let fractionDigits = mantissa.count == 2 ? mantissa[1] : ""
        var digits = Array(integerDigits + fractionDigits)
        // The value is 0.d1d2d3... × 10^decimalPoint.
        var decimalPoint = integerDigits.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            decimalPoint -= 1
        }
        while digits.last == "0" { digits.removeLast() }

        if decimalPoint > 16 || decimalPoint < -3 {
            let power = decimalPoint - 1
            var result = sign + String(digits[0])
            if digits.count > 1 { result += "." + String(digits[1...]) }
            let powerDigits = String(power.magnitude)
            return result + "e" + (power < 0 ? "-" : "+") + (powerDigits.count < 2 ? "0" : "") + powerDigits
        }
        if decimalPoint <= 0 {
            return sign + "0." + String(repeating: "0", count: -decimalPoint) + String(digits)
        }
        if decimalPoint >= digits.count {
            return sign + String(digits) + String(repeating: "0", count: decimalPoint - digits.count) + ".0"
        }
        return sign + String(digits[..<decimalPoint]) + "." + String(digits[decimalPoint...])
    }

    // MARK: Layout

    private func write(_ value: JSONValue, level: Int, into output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let bool): output.append(contentsOf: (bool ? "true" : "false").utf8)
        case .int(let int): output.append(contentsOf: String(int).utf8)
        case .double(let double):
            output.append(contentsOf: (double.isFinite ? Self.formatDouble(double) : "null").utf8)
        case .string(let string): Self.writeString(string, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                writeSeparator(first: position == 0, level: level + 1, into: &output)
                write(element, level: level + 1, into: &output)
            }
            writeClosing(UInt8(ascii: "]"), empty: elements.isEmpty, level: level, into: &output)
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (position, member) in members.enumerated() {
                writeSeparator(first: position == 0, level: level + 1, into: &output)
                Self.writeString(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                if style != .compact { output.append(UInt8(ascii: " ")) }
                write(member.value, level: level + 1, into: &output)
            }
            writeClosing(UInt8(ascii: "}"), empty: members.isEmpty, level: level, into: &output)
        }
    }

    private func writeSeparator(first: Bool, level: Int, into output: inout [UInt8]) {
        switch style {
        case .compact:
            if !first { output.append(UInt8(ascii: ",")) }
        case .python:
            if !first { output.append(contentsOf: ", ".utf8) }
        case .pretty(let indent):
            if !first { output.append(UInt8(ascii: ",")) }
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: max(indent, 0) * level))
        }
    }

    private func writeClosing(_ bracket: UInt8, empty: Bool, level: Int, into output: inout [UInt8]) {
        if case .pretty(let indent) = style, !empty {
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: max(indent, 0) * level))
        }
        output.append(bracket)
    }

    /// A JSON text read from elsewhere (an event line the original tool wrote) with its raw
    /// controls escaped as ``writeString`` escapes them: raw C0/C1 and bidi controls can only be
    /// valid inside strings, where `\\u` escapes mean the same, so the value is unchanged and the
    /// terminal that shows the line is safe.
    public static func escapingRawControls(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0xC2 || $0 == 0xD8 || $0 == 0xE2 }) else { return text }
        var output: [UInt8] = []
        var copy = text
        copy.makeContiguousUTF8()
        _ = copy.utf8.withContiguousStorageIfAvailable { writeEscaped($0, into: &output, quoting: false) }
        return String(decoding: output, as: UTF8.self)
    }

    private static func writeString(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = string
        text.makeContiguousUTF8()
        _ = text.utf8.withContiguousStorageIfAvailable { writeEscaped($0, into: &output, quoting: true) }
        output.append(UInt8(ascii: "\""))
    }

    /// The body of a JSON string: `"` and `\\` escaped, every C0 control and C1 control
    /// (U+0080–U+009F, which terminals read as CSI and OSC) as `\\u00xx`, and the bidi controls
    /// and line separators (U+061C, U+200E/F, U+2028/9, U+202A–E, U+2066–9) as `\\uXXXX`: JSON
    /// output is often read on a terminal (`peek --json | less`), and a host's text must not
    /// drive it. Everything else is written raw, as Python's `ensure_ascii=False` does.
    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt8], quoting: Bool) {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x09 where !quoting, 0x0A where !quoting: output.append(byte)
            case UInt8(ascii: "\"") where quoting: output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\") where quoting: output.append(contentsOf: #"\\"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            case 0x08: output.append(contentsOf: #"\b"#.utf8)
            case 0x0C: output.append(contentsOf: #"\f"#.utf8)
            case 0x00..<0x20: writeUnicodeEscape(UInt32(byte), into: &output)
            case 0xC2 where index + 1 < bytes.count && (0x80...0x9F).contains(bytes[index + 1]):
                writeUnicodeEscape(UInt32(bytes[index + 1]), into: &output)
                index += 1
            case 0xD8 where index + 1 < bytes.count && bytes[index + 1] == 0x9C:
                writeUnicodeEscape(0x061C, into: &output)
                index += 1
            case 0xE2 where index + 2 < bytes.count:
                let scalar = 0x2000 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
                if (bytes[index + 1] == 0x80 || bytes[index + 1] == 0x81) && isDirectionControl(scalar) {
                    writeUnicodeEscape(scalar, into: &output)
                    index += 2
                } else {
                    output.append(byte)
                }
            default: output.append(byte)
            }
            index += 1
        }
    }

    private static func isDirectionControl(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    private static func writeUnicodeEscape(_ scalar: UInt32, into output: inout [UInt8]) {
        let hexDigits = Array("0123456789abcdef".utf8)
        output.append(contentsOf: #"\u"#.utf8)
        for shift in [12, 8, 4, 0] { output.append(hexDigits[Int((scalar >> UInt32(shift)) & 0xF)]) }
    }
}
