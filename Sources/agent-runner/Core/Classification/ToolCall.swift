import FleetCore

/// One tool call seen in the transcript (for the repetitive-tool anomaly).
public struct ToolCall: Sendable, Equatable {
    public var name: String
    /// The first of `file_path`, `path`, `pattern`, `command`, redacted then cut to 100 scalars.
    public var target: String?

    public init(name: String, target: String?) {
        self.name = name
        self.target = target
    }

    /// A tool's target as it may leave the host: redacted as a whole, then cut to 100 scalars
    /// (the original's cut) and 400 bytes. A command such as `curl -H 'Authorization: Bearer ...'`
    /// cut first could keep half a token no rule recognises.
    static func boundedTarget(_ text: String) -> String {
        SecretRedactor.redact(
            UTF8Clip.prefix(text, maxBytes: 64 << 10), clippedTo: 400, maxScalars: 100, keeping: .head)
    }
}
