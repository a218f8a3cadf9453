/// A `SHA256SUMS` file as `sha256sum` writes it: one `<64 hex>  <name>` line per build (two
/// spaces: text mode), or `<64 hex> *<name>` (binary mode); `#` comments and blank lines are
/// skipped; a name with a backslash or newline is written escaped, the line starting with `\`.
///
/// Every other line is refused, with its number: a sums file that is half garbage is not a
/// source to install a supervisor from.
public struct ReleaseChecksums: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// Lowercase hex.
        public var sha256: String
        public var name: String
        /// Listed with `*` (binary mode); the same bytes are hashed either way on Linux.
        public var binary: Bool
        /// 1-based line number in the file.
        public var line: Int

        public init(sha256: String, name: String, binary: Bool = false, line: Int) {
            self.sha256 = sha256
            self.name = name
            self.binary = binary
            self.line = line
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The entry for `name`.
    public func entry(named name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    /// Parses the text of the file found at `source` (named in errors).
    public static func parse(_ text: String, source: String) throws(ReleaseError) -> ReleaseChecksums {
        var entries: [Entry] = []
        var problems: [String] = []
        var lineNumber = 0
        // "\r\n" is one Character in Swift: split on both so CRLF files (edited on Windows) work.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = rawLine
            if line.last == "\r" { line = line.dropLast() }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.first == "#" { continue }
            switch parseLine(line, number: lineNumber) {
            case .entry(let entry):
                if let earlier = entries.first(where: { $0.name == entry.name }) {
                    if earlier.sha256 != entry.sha256 {
                        problems.append(
                            "line \(lineNumber): \(entry.name) is listed again with another sum "
                                + "(first on line \(earlier.line))")
                    }
                    continue
                }
                entries.append(entry)
            case .problem(let problem):
                problems.append(problem)
            }
        }
        if !problems.isEmpty {
            let shown = problems.prefix(3).joined(separator: "; ")
            let more = problems.count > 3 ? "; and \(problems.count - 3) more" : ""
            throw ReleaseError(
                .malformedChecksums,
                "\(source): \(shown)\(more); regenerate it with "
                    + "`sha256sum agent-runner-* > SHA256SUMS`")
        }
        return ReleaseChecksums(entries: entries)
    }

    private enum ParsedLine {
        case entry(Entry)
        case problem(String)
    }

    private static func parseLine(_ line: Substring, number: Int) -> ParsedLine {
        var rest = line
        let escaped = rest.first == "\\"
        if escaped { rest = rest.dropFirst() }
        if rest.hasPrefix("SHA256 (") {
            return .problem(
                "line \(number): a BSD-style line (`sha256sum --tag`); list the builds in the default "
                    + "format")
        }
        let hex = rest.prefix(64)
        guard hex.count == 64, hex.allSatisfy(\.isHexDigit), hex.allSatisfy(\.isASCII) else {
            return .problem(
                "line \(number): expected 64 hex digits, two spaces (or space and *), the file name; "
                    + "got '\(line.prefix(40))'")
        }
        rest = rest.dropFirst(64)
        guard rest.first == " ", let mode = rest.dropFirst().first, mode == " " || mode == "*" else {
            return .problem(
                "line \(number): expected two spaces (or space and *) after the sum; "
                    + "got '\(line.prefix(80))'")
        }
        var name = String(rest.dropFirst(2))
        if escaped {
            guard let unescaped = unescape(name) else {
                return .problem("line \(number): a bad escape in the file name '\(name.prefix(40))'")
            }
            name = unescaped
        }
        guard !name.isEmpty else { return .problem("line \(number): no file name after the sum") }
        return .entry(Entry(sha256: hex.lowercased(), name: name, binary: mode == "*", line: number))
    }

    /// `sha256sum`'s escapes: `\\`, `\n`, `\r`.
    private static func unescape(_ name: String) -> String? {
        var result = ""
        var iterator = name.makeIterator()
        while let character = iterator.next() {
            guard character == "\\" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "\\": result.append("\\")
            case "n": result.append("\n")
            case "r": result.append("\r")
            default: return nil
            }
        }
        return result
    }
}
