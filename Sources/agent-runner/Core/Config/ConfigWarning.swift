/// A spelling the loader accepted but the operator should change: a 0.2.x key name that this
/// agent-runner still reads with its old meaning (the original 0.3 refuses most of them), or a
/// value that does nothing here. One line each on stderr, naming file:line:key and the fix, so a
/// fleet moving between the original and this tool is never surprised by a silently ignored key.
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    /// The file as the operator named it.
    public var file: String
    /// 1-based line of the key (1 for a key that is missing, like `schema_version`).
    public var line: Int
    /// Dotted key as written (`runtime.round_timeout_s`).
    public var key: String
    /// What is wrong or old about it.
    public var message: String
    /// The next step (`run agent-runner migrate`).
    public var fix: String

    public init(file: String, line: Int, key: String, message: String, fix: String = ConfigWarning.migrateFix) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
        self.fix = fix
    }

    /// The fix of every deprecated spelling `agent-runner migrate` rewrites.
    public static let migrateFix = "run `agent-runner migrate`"

    /// `agent-runner.toml:18: runtime.round_timeout_s: <message>; <fix>`.
    public var description: String { "\(file):\(line): \(key): \(message); \(fix)" }
}
