/// A location in a TOML document, used to point users at the exact spot of a key or an error.
///
/// Both fields are 1-based. `column` counts Unicode scalars (not bytes) from the start of the line,
/// so it matches what an editor shows for non-ASCII text.
public struct TOMLPosition: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// 1-based line number; lines are separated by LF or CRLF.
    public var line: Int
    /// 1-based column, counted in Unicode scalars.
    public var column: Int

    /// Creates a position from a 1-based line and column.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `"line:column"`, the conventional compiler-style suffix for a file name.
    public var description: String { "\(line):\(column)" }
}
