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

    public init(
        model: String, inputTokens: Int64, outputTokens: Int64, cachedTokens: Int64 = 0,
        cacheCreationTokens: Int64 = 0, costUSD: Double? = nil, durationMS: Int64 = 0, toolCallCount: Int = 0
    ) {
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedTokens = cachedTokens
        self.cacheCreationTokens = cacheCreationTokens
        self.costUSD = costUSD
        self.durationMS = durationMS
        self.toolCallCount = toolCallCount
    }
}
