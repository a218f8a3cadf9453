/// Which agent-runner wrote a peek document, read from the document itself.
///
/// Why it matters: the original Python 0.3.x ships neither `recent_rounds` nor its version, so
/// fleetctl must fetch round transcripts (`peek --round N --log`) and `agent-runner --version`
/// from it to judge it as it judges ours. Ours says who it is (`agent_runner_version`).
public enum PeekProducer: Sendable, Equatable {
    /// Our agent-runner, at this version.
    case ours(version: String)
    /// The original 0.3.x: a `schema_version` "2.x" document without `agent_runner_version`
    /// (0.3.14 writes "2.6").
    case original(schema: String)
    /// Neither: not a peek document, or one this fleetctl does not know.
    case unknown

    public var isOriginal: Bool {
        if case .original = self { return true }
        return false
    }
}
