import FleetCore

/// Why the prompt could not be assembled.
public struct PromptError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "prompt \(path): \(message)" }
}

/// Builds a round's prompt: the prompt files joined by `concat_separator`, YAML front matter
/// stripped from the first file, and the round-context block prepended when configured.
/// Pure: file contents come in through a closure.
public struct PromptAssembler: Sendable {
    public var separator: String
    public var stripYAMLFrontmatter: Bool

    public init(separator: String, stripYAMLFrontmatter: Bool) {
        self.separator = separator
        self.stripYAMLFrontmatter = stripYAMLFrontmatter
    }

    /// The prompt body. The first file must exist; later missing files are skipped (reported
    /// through `skipped`) so one deleted include does not stop a 24x7 run.
    public func body(
        files: [String], read: (String) -> [UInt8]?
    ) throws(PromptError) -> (text: String, skipped: [String]) {
        var parts: [String] = []
        var skipped: [String] = []
        for (index, path) in files.enumerated() {
            guard let bytes = read(path) else {
                if index == 0 {
                    throw PromptError(
                        path: path, message: "cannot read the first prompt file; create it or fix [prompt] files")
                }
                skipped.append(path)
                continue
            }
            var text = String(decoding: bytes, as: UTF8.self)
            if index == 0 && stripYAMLFrontmatter { text = Self.stripFrontmatter(text) }
            parts.append(text)
        }
        return (parts.joined(separator: separator), skipped)
    }

    /// The round-context block in front of the body, as the original writes it, so agents
    /// written for it parse ours the same way.
    public static func prependContext(_ context: JSONValue, to body: String) -> String {
        "```json round-context\n" + JSONWriter(style: .pretty(indent: 2)).string(context) + "\n```\n\n" + body
    }

    /// Drops a leading `---\n … \n---\n` block and the whitespace after it.
    static func stripFrontmatter(_ text: String) -> String {
        guard text.hasPrefix("---\n") else { return text }
        let rest = text.dropFirst(4)
        guard let end = rest.firstRange(of: "\n---\n") else { return text }
        return String(rest[end.upperBound...].drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
    }
}
