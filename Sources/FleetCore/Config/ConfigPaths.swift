/// Path rules shared by agent-runner.toml and the inventory: `~` expansion, `{project}`
/// substitution, and lexical normalisation (no file system access, so they are testable as values).
public enum ConfigPaths {
    /// Expands a leading `~` or `~/` to `home`. `~user` forms are left alone.
    public static func expandUser(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        return path
    }

    /// `path` made absolute against `base` when relative, then normalised.
    public static func absolute(_ path: String, against base: String) -> String {
        normalize(path.hasPrefix("/") ? path : base + "/" + path)
    }

    /// Removes `.` and empty components and folds `..` lexically. `/..` stays `/`.
    public static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(component)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The folder holding `path` (`/` for a top-level entry).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = path[..<slash]
        return head.isEmpty ? "/" : String(head)
    }

    /// The last component of `path`.
    public static func basename(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? ""
    }

    /// Whether `text` holds a control or otherwise unprintable character, which would make a
    /// path unsafe to put in a systemd unit or a shell command.
    public static func hasControlCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }
    }
}
