/// What loading a configuration needs to know about the invoking user, injected so that loading
/// is testable without the real home directory.
public struct ConfigEnvironment: Sendable {
    /// `$HOME`, for `~` expansion.
    public var home: String
    /// The current directory, for making a relative `--config` absolute.
    public var currentDirectory: String

    public init(home: String, currentDirectory: String) {
        self.home = home
        self.currentDirectory = currentDirectory
    }
}
