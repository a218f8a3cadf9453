import FleetCore

/// A recoverable failure reported by the agent's provider: ride it out instead of counting it
/// as a crash (it must never trip crash_loop).
public struct TransientError: Sendable, Equatable {
    public enum Classification: String, Sendable, CaseIterable {
        /// The account's 5-hour quota is exhausted; the server says when it resets.
        case rateLimitAccount = "rate_limit_account"
        /// Infrastructure 429 without a reset hint.
        case rateLimitModel = "rate_limit_model"
        /// 500/502/503/504/529.
        case apiTransient5xx = "api_transient_5xx"
        /// 408.
        case apiTimeout = "api_timeout"

        /// Seconds to wait when the server gave no reset (the original's defaults).
        public var baseBackoffS: Int? {
            switch self {
            case .rateLimitAccount: return nil
            case .rateLimitModel, .apiTransient5xx: return 60
            case .apiTimeout: return 30
            }
        }
    }

    public var classification: Classification
    /// When the throttle ends, in Unix seconds (server-provided for the account limit).
    public var resetAtEpoch: Int64
    /// The provider's message, redacted and capped at 200 characters.
    public var raw: String

    public init(classification: Classification, resetAtEpoch: Int64, raw: String) {
        self.classification = classification
        self.resetAtEpoch = resetAtEpoch
        self.raw = raw
    }
}

/// Token usage the agent reported for a round (`agent_usage_recorded`).
public struct AgentUsage: Sendable, Equatable {
    public var model: String
    public var inputTokens: Int64
    public var outputTokens: Int64
    public var cachedTokens: Int64
    public var cacheCreationTokens: Int64
    public var costUSD: Double?
    public var durationMS: Int64
    public var toolCallCount: Int
}

/// One tool call seen in the transcript (for the repetitive-tool anomaly).
public struct ToolCall: Sendable, Equatable {
    public var name: String
    /// The first of `file_path`, `path`, `pattern`, `command`, cut to 100 characters.
    public var target: String?
}

/// What a round's transcript says, independent of its exit code.
public struct TranscriptAnalysis: Sendable, Equatable {
    public var transient: TransientError?
    public var usage: AgentUsage?
    public var toolCalls: [ToolCall] = []
    /// The agent reported an authentication failure (401) in its own words.
    public var authFailure: String?
    /// Whether the terminal result record was seen.
    public var sawResult = false
}
