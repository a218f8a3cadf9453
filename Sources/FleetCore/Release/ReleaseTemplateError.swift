/// `[upgrade] source` is not a usable template. `reason` is what a config loader puts after
/// `file:line: upgrade.source:`; the description stands alone.
public struct ReleaseTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var reason: String

    public init(text: String, reason: String) {
        self.text = text
        self.reason = reason
    }

    public var description: String { "[upgrade] source '\(text)': \(reason)" }
}
