/// One tool call seen in the transcript (for the repetitive-tool anomaly).
public struct ToolCall: Sendable, Equatable {
    public var name: String
    /// The first of `file_path`, `path`, `pattern`, `command`, cut to 100 characters.
    public var target: String?

    public init(name: String, target: String?) {
        self.name = name
        self.target = target
    }
}
