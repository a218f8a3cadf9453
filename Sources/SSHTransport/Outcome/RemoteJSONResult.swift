import FleetCore

/// The result of ``RemoteExecutor/runJSON(host:argv:stdin:deadline:limits:)``: the remote
/// result, and the parsed document exactly when the outcome is `.ok`.
public struct RemoteJSONResult: Sendable, Equatable {
    /// 4 MiB and depth 64: far above any `peek --json` document, far below what would
    /// hurt an operator machine polling a whole fleet.
    public static let defaultLimits = JSONParser.Limits(maxDepth: 64, maxBytes: 4 << 20)

    public var result: RemoteResult
    /// The parsed stdout; nil unless `result.outcome` is `.ok`.
    public var document: JSONValue?

    public init(result: RemoteResult, document: JSONValue?) {
        self.result = result
        self.document = document
    }
}
