import FleetCore

/// Reads pi's `-p --mode json` transcript. Built from the original's plugin (which says it was
/// verified against the installed pi CLI) and samples replayed through the original; not
/// verified here against a real pi CLI.
///
/// pi exits 0 on provider failures. The round's assistant messages come from the `agent_end`
/// records (each lists its run's messages, disjoint across pi's own retries), else from
/// `message_end`; never from `message_update` deltas, which carry stale state. The last one
/// decides when its `stopReason` is `"error"`: the status leading its `errorMessage`
/// (`"429 status code (no body)"`, `"401: {…}"`) through the shared ladder (401 and 403 → auth;
/// the original only knew 401), else a network errno or phrase, else "timed out" → timeout.
/// Usage is summed over the assistant messages and reported only when tokens were spent (pi
/// reports zeros for a call that never reached the model); duration runs from the `session`
/// header to the last message.
public struct PiStreamClassifier: TranscriptClassifier {
    public init() {}

    public func analyze(_ transcript: RoundTranscript, exit: AgentExit, now: Int64) -> TranscriptAnalysis {
        var analysis = TranscriptAnalysis()
        var fromAgentEnd: [JSONObject] = []
        var fromMessageEnd: [JSONObject] = []
        var sessionStartMS: Int64?
        for record in transcript.records {
            let object = record.object
            switch object["type"]?.stringValue {
            case "agent_end":
                analysis.sawResult = true
                fromAgentEnd += Self.assistants(object["messages"]?.arrayValue ?? [])
            case "message_end":
                fromMessageEnd += Self.assistants([object["message"] ?? .null])
            case "session":
                sessionStartMS = sessionStartMS ?? object["timestamp"]?.stringValue.flatMap(Self.epochMS)
            default:
                continue
            }
        }
        if sessionStartMS == nil && !transcript.truncated {
            // A long round pushes the header out of the JSON window; it is the file's first record.
            let header = transcript.lines.prefix(20).lazy.compactMap(RoundTranscript.object)
                .first { $0["type"]?.stringValue == "session" }
            sessionStartMS = header?["timestamp"]?.stringValue.flatMap(Self.epochMS)
        }
        let messages = fromAgentEnd.isEmpty ? fromMessageEnd : fromAgentEnd
        guard let last = messages.last else { return analysis }
        for message in messages {
            for block in message["content"]?.arrayValue ?? [] where block["type"]?.stringValue == "toolCall" {
                let arguments = block["arguments"]?.objectValue
                let target = ["file_path", "path", "pattern", "command"].lazy.compactMap { arguments?[$0]?.stringValue }
                    .first
                analysis.toolCalls.append(
                    ToolCall(
                        name: block["name"]?.stringValue ?? "unknown",
                        target: target.map(ToolCall.boundedTarget)))
            }
        }
        analysis.usage = usage(messages, toolCalls: analysis.toolCalls.count, startMS: sessionStartMS)
        if last["stopReason"]?.stringValue == "error" {
            failure(last["errorMessage"]?.stringValue ?? "error", now: now).apply(to: &analysis, now: now)
        }
        return analysis
    }

    private func failure(_ text: String, now: Int64) -> ProviderFailure {
        if let status = HTTPStatusLadder.leadingStatus(Substring(text)) {
            return HTTPStatusLadder.failure(status, message: text, now: now) ?? .unclassified(text)
        }
        return NetworkErrorText.failure(text) ?? .unclassified(text)
    }

    private static func assistants(_ values: [JSONValue]) -> [JSONObject] {
        values.compactMap { $0.objectValue }.filter { $0["role"]?.stringValue == "assistant" }
    }

    private func usage(_ messages: [JSONObject], toolCalls: Int, startMS: Int64?) -> AgentUsage? {
        var input: Int64 = 0
        var output: Int64 = 0
        var cacheRead: Int64 = 0
        var cacheWrite: Int64 = 0
        var cost = 0.0
        for message in messages {
            guard let usage = message["usage"]?.objectValue else { continue }
            input += usage["input"]?.intValue ?? 0
            output += usage["output"]?.intValue ?? 0
            cacheRead += usage["cacheRead"]?.intValue ?? 0
            cacheWrite += usage["cacheWrite"]?.intValue ?? 0
            if let total = usage["cost"]?["total"]?.doubleValue, total.isFinite { cost += total }
        }
        guard input != 0 || output != 0 || cacheRead != 0 || cacheWrite != 0, let last = messages.last else {
            return nil
        }
        let provider = last["provider"]?.stringValue
        let model = last["model"]?.stringValue ?? "unknown"
        let endMS = last["timestamp"]?.intValue
        var duration: Int64 = 0
        if let startMS, let endMS { duration = max(0, endMS - startMS) }
        return AgentUsage(
            model: provider.map { "\($0)/\(model)" } ?? model, inputTokens: input, outputTokens: output,
            cachedTokens: cacheRead, cacheCreationTokens: cacheWrite, costUSD: cost > 0 ? cost : nil,
            durationMS: duration, toolCallCount: toolCalls)
    }

    /// Unix milliseconds of an ISO 8601 UTC timestamp such as `2026-12-02T23:20:01.000Z`.
    private static func epochMS(_ text: String) -> Int64? {
        guard let instant = EventTimestamp.parse(text) else { return nil }
        return instant.seconds * 1000 + Int64(instant.nanoseconds / 1_000_000)
    }
}
