/// Entry point for reading TOML 1.0.0 documents.
///
/// Parsing is strict (anything the specification does not allow is rejected with a positioned
/// `TOMLParseError`) and never traps on malformed input, so it is safe for untrusted files.
public enum TOML {
    /// Parses a UTF-8 encoded TOML document (an optional leading byte order mark is skipped).
    /// Invalid UTF-8 is rejected.
    public static func parse(_ bytes: [UInt8]) throws(TOMLParseError) -> TOMLTable {
        var parser = TOMLParser(source: try TOMLSource(bytes))
        return try parser.parse()
    }

    /// Parses a TOML document held in a string.
    public static func parse(_ text: String) throws(TOMLParseError) -> TOMLTable {
        try parse(Array(text.utf8))
    }
}
