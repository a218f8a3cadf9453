/// Base64 (RFC 4648, standard alphabet) decoding, for binary payloads that arrive inside JSON:
/// the DevTools protocol sends screenshots as base64 strings. Foundation's `Data(base64Encoded:)`
/// is not available to us.
///
/// Strict on purpose: a corrupted payload (a character outside the alphabet, a truncated final
/// group, padding in the middle) is nil rather than silently different bytes, so a broken
/// screenshot fails where it is decoded, not later as an unreadable PNG.
public enum Base64 {
    /// The bytes `text` encodes, or nil if it is not valid base64. The final `=` padding is
    /// optional; whitespace is not allowed.
    public static func decode(_ text: String) -> [UInt8]? {
        decode(Array(text.utf8))
    }

    /// The bytes the ASCII base64 `encoded` encodes, or nil if it is not valid base64.
    public static func decode(_ encoded: [UInt8]) -> [UInt8]? {
        var end = encoded.count
        var padding = 0
        while end > 0 && encoded[end - 1] == UInt8(ascii: "=") && padding < 2 {
            end -= 1
            padding += 1
        }
        // Padding completes the last group of 4; without it the length alone tells the tail.
        if padding > 0 && encoded.count % 4 != 0 { return nil }
        let tail = end % 4
        if tail == 1 { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(end / 4 * 3 + 2)
        var accumulator: UInt32 = 0
        var bits = 0
        for index in 0..<end {
            let value = sextets[Int(encoded[index])]
            if value == invalid { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // The bits left over must be zero, or the text was not produced by an encoder.
        if bits > 0 && accumulator & ((1 << UInt32(bits)) - 1) != 0 { return nil }
        return output
    }

    private static let invalid: UInt8 = 0xFF

    private static let sextets: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        return table
    }()
}
