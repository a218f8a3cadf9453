/// Builds the single command string ssh hands to the remote login shell from an argv.
///
/// ssh joins its trailing words with spaces and the remote shell re-splits them, so a path with
/// a space, a quote or `$(...)` would otherwise be split or executed. Each word is put in single
/// quotes (with `'` written as `'\''`), which POSIX shells take literally.
///
/// The quoting works on UTF-8 bytes, as the remote shell reads them: a `'` followed by a
/// combining mark, or preceded by a prepended-concatenation mark such as U+0600, is one Swift
/// `Character` that is not `'`, and a quoter walking Characters left it unescaped, ending the
/// quoting and letting an inventory value run a command on the host.
public enum RemoteCommand {
    /// The remote command line for `argv`: every word arrives as exactly one literal argument.
    public static func commandLine(_ argv: [String]) -> String {
        argv.map(quote).joined(separator: " ")
    }

    /// One word quoted for a POSIX shell. Plain words (letters, digits, `-_./=:@,+%`) stay bare
    /// for readable logs.
    public static func quote(_ word: String) -> String {
        if !word.isEmpty && word.utf8.allSatisfy(isPlain) { return word }
        var quoted: [UInt8] = [UInt8(ascii: "'")]
        quoted.reserveCapacity(word.utf8.count + 2)
        for byte in word.utf8 {
            if byte == UInt8(ascii: "'") {
                quoted += Array("'\\''".utf8)
            } else {
                quoted.append(byte)
            }
        }
        quoted.append(UInt8(ascii: "'"))
        return String(decoding: quoted, as: UTF8.self)
    }

    private static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "="),
            UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: ","), UInt8(ascii: "+"), UInt8(ascii: "%"):
            return true
        default:
            return false
        }
    }
}
