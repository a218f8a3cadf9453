import FleetCore

/// Reads gemini's `-o stream-json` transcript. Built from the original's plugin rules and
/// samples replayed through the original; not verified against a real gemini CLI.
///
/// The last `{"type":"result"}` with `status: "error"` (or an `error` member) decides:
/// `error.code` through the shared ladder (429, 5xx, 408, and 401/403 as auth, which the
/// original dropped), an `error.type` naming authentication → auth, a network errno or phrase
/// in `error.message` → network or timeout. Without a result (gemini died), a trailing
/// `{"type":"error"}` retry warning ("Attempt 2 failed with status 429") with no progress after
/// it says what gemini was still retrying. Usage from `result.stats`; the model is the one with
/// the most tokens in `stats.models`, else the `init` record's.
public struct GeminiStreamClassifier: TranscriptClassifier {
    public init() {}

    public func analyze(_ transcript: RoundTranscript, exit: AgentExit, now: Int64) -> TranscriptAnalysis {
        var analysis = TranscriptAnalysis()
        var result: JSONObject?
        var initModel: String?
        var lastWarning: RoundTranscript.Record?
        var lastProgress = -1
        for record in transcript.records {
            let object = record.object
            switch object["type"]?.stringValue {
            case "result": result = object
            case "init": initModel = object["model"]?.stringValue
            case "error": lastWarning = record
            case "tool_use":
                lastProgress = record.line
                let parameters = object["parameters"]?.objectValue
                let target = ["absolute_path", "file_path", "path", "pattern", "command"].lazy
                    .compactMap { parameters?[$0]?.stringValue }.first
                analysis.toolCalls.append(
                    ToolCall(
                        name: object["tool_name"]?.stringValue ?? "unknown",
                        target: target.map(ToolCall.boundedTarget)))
            case "message", "tool_result": lastProgress = record.line
            default: continue
            }
        }
        if let result {
            analysis.sawResult = true
            if let stats = result["stats"]?.objectValue, !stats.isEmpty {
                analysis.usage = usage(stats, initModel: initModel)
            }
            if result["status"]?.stringValue == "error" || (result["error"].map { !$0.isNull } ?? false) {
                failure(result, now: now).apply(to: &analysis, now: now)
            }
        } else if let warning = lastWarning, warning.line > lastProgress,
            let message = warning.object["message"]?.stringValue,
            let range = message.firstRange(of: "status "),
            let status = HTTPStatusLadder.leadingStatus(message[range.upperBound...])
        {
            (HTTPStatusLadder.failure(status, message: message, now: now) ?? .unclassified(message))
                .apply(to: &analysis, now: now)
        }
        return analysis
    }

    private func failure(_ result: JSONObject, now: Int64) -> ProviderFailure {
        let error = result["error"]?.objectValue
        let message = error?["message"]?.stringValue ?? result["status"]?.stringValue ?? "error"
        if let code = error?["code"]?.intValue, let failure = HTTPStatusLadder.failure(code, message: message, now: now)
        {
            return failure
        }
        if error?["type"]?.stringValue?.contains("Auth") == true { return ProviderFailure(.auth, message: message) }
        return NetworkErrorText.failure(message) ?? .unclassified(message)
    }

    private func usage(_ stats: JSONObject, initModel: String?) -> AgentUsage {
        let models = stats["models"]?.objectValue ?? JSONObject()
        let primary = models.filter { $0.value.objectValue != nil }
            .max { ($0.value["total_tokens"]?.intValue ?? 0) < ($1.value["total_tokens"]?.intValue ?? 0) }?.key
        return AgentUsage(
            model: primary ?? initModel ?? "unknown",
            inputTokens: stats["input"]?.intValue ?? 0,
            outputTokens: stats["output_tokens"]?.intValue ?? 0,
            cachedTokens: stats["cached"]?.intValue ?? 0,
            durationMS: stats["duration_ms"]?.intValue ?? 0,
            toolCallCount: Int(clamping: stats["tool_calls"]?.intValue ?? 0))
    }
}
