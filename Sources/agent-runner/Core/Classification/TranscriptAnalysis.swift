/// What a round's transcript says, independent of its exit code (aider and pi exit 0 on every
/// provider error; claude exits 1 on all of them alike).
public struct TranscriptAnalysis: Sendable, Equatable {
    /// A rate limit, server error or network failure: the round rides the back-off.
    public var transient: TransientError?
    public var usage: AgentUsage?
    public var toolCalls: [ToolCall] = []
    /// The agent reported an authentication failure (401/403) in its own words, redacted.
    public var authFailure: String?
    /// Whether the terminal result record was seen.
    public var sawResult = false
    /// The text that showed a network failure (connection, DNS, timeout): the
    /// `agent_network_blip.matched` of this round, whatever its exit code.
    public var networkMatch: String?
    /// The CLI's own output says the run ended in a provider error, transient or not (a 400, an
    /// unknown model...). With exit 0 (aider, pi) the round still failed: the restart policy
    /// counts it, and its usage is not a success.
    public var reportedError = false

    public init() {}

    /// The bucket of this round's failure, or nil when the output shows none.
    public var bucket: FailureBucket? {
        if authFailure != nil { return .auth }
        return transient?.classification.bucket
    }
}
