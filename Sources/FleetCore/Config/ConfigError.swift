/// A configuration file was missing, unreadable or wrong. The description is the one line an
/// operator reads at 3 a.m.: which file, which line, which key, what is wrong and, where it helps,
/// what to do (`config error: agent-runner.toml:12: runtime.max_rounds: must be a positive
/// integer, got -1`). Programs print it after their own prefix and exit ``ExitCode/config``.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the operator named it (relative paths stay relative: that is what they typed).
    public var file: String
    /// 1-based line of the offending key or table; nil when the whole file is at fault.
    public var line: Int?
    /// Dotted key (`runtime.max_rounds`); nil for file-level problems (missing, bad TOML).
    public var key: String?
    public var message: String

    public init(file: String, line: Int? = nil, key: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var text = "config error: \(file)"
        if let line { text += ":\(line)" }
        text += ": "
        if let key { text += "\(key): " }
        return text + message
    }
}
