/// Builds the single command string ssh hands to the remote login shell from an argv.
///
/// ssh joins its trailing words with spaces and the remote shell re-splits them, so a path with
/// a space, a quote or `$(...)` would otherwise be split or executed. Each word is put in single
/// quotes (with `'` written as `'\''`), which POSIX shells take literally.
public enum RemoteCommand {
    /// The remote command line for `argv`: every word arrives as exactly one literal argument.
    public static func commandLine(_ argv: [String]) -> String {
        argv.map(quote).joined(separator: " ")
    }

    /// One word quoted for a POSIX shell. Plain words (letters, digits, `-_./=:@,+%`) stay bare
    /// for readable logs.
    public static func quote(_ word: String) -> String {
        if !word.isEmpty && word.utf8.allSatisfy(isPlain) { return word }
        var quoted = "'"
        for character in word {
            if character == "'" { quoted += "'\\''" } else { quoted.append(character) }
        }
        return quoted + "'"
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
