import FleetCore

// The events of the post-round transcript analysis (the original's claude plugin). The
// throttle the analysis finds is `transient_error_detected` (ThrottleEvents.swift).

/// `agent_usage_recorded`: the tokens and cost the agent reported. `success` is whether the
/// round did its job: the throttle state counts detections since the last success.
public struct AgentUsageRecorded: TypedEvent {
    public static let kind = EventKind.agentUsageRecorded
    public static let fields: [EventField<Self>] = [
        .string("agent", \.agent), .string("model", \.usage.model), .int("round_num", \.roundNum),
        .int("input_tokens", \.usage.inputTokens), .int("output_tokens", \.usage.outputTokens),
        .int("cached_tokens", \.usage.cachedTokens), .double("cost_usd", \.usage.costUSD),
        .int("duration_ms", \.usage.durationMS), .alwaysNull("models_breakdown"),
        .int("cache_creation_tokens", \.usage.cacheCreationTokens), .int("tool_call_count", \.usage.toolCallCount),
        EventField("phase", type: "str") { .string($0.phase ?? "") }, .bool("success", \.success),
    ]

    public var agent: String
    public var usage: AgentUsage
    public var roundNum: Int
    public var phase: String?
    public var success: Bool

    public init(agent: String, usage: AgentUsage, roundNum: Int, phase: String?, success: Bool) {
        self.agent = agent
        self.usage = usage
        self.roundNum = roundNum
        self.phase = phase
        self.success = success
    }
}

/// `anomaly_repetitive_tool`: the same tool on the same target at least
/// `anomaly_repetitive_threshold` times within `window` calls: an agent stuck in a loop.
public struct AnomalyRepetitiveTool: TypedEvent {
    public static let kind = EventKind.anomalyRepetitiveTool
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .string("tool_name", \.call.name), .string("target", \.call.target),
        .int("count", \.count), .int("window", \.window),
    ]

    public var roundNum: Int
    public var call: ToolCall
    public var count: Int
    public var window: Int

    public init(roundNum: Int, call: ToolCall, count: Int, window: Int) {
        self.roundNum = roundNum
        self.call = call
        self.count = count
        self.window = window
    }
}

/// `agent_auth_error_detected`: the agent could not authenticate (a 401, or a short failed
/// round matching `auth_fail_patterns`); `raw` is the redacted line.
public struct AgentAuthErrorDetected: TypedEvent {
    public static let kind = EventKind.agentAuthErrorDetected
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .string("agent", \.agent), .string("raw", \.raw),
    ]

    public var roundNum: Int
    public var agent: String
    public var raw: String

    public init(roundNum: Int, agent: String, raw: String) {
        self.roundNum = roundNum
        self.agent = agent
        self.raw = raw
    }
}
