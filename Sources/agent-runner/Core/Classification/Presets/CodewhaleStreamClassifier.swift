import FleetCore

/// Reads codewhale's `exec --output-format stream-json` transcript. Built from the original's
/// plugin rules and samples replayed through the original; not verified against a real
/// codewhale CLI (its plugin had only ever seen an auth error).
///
/// The last `{"type":"error"}` with no assistant message after it decides: a numeric `code`,
/// then a numeric `status_code`, through the shared ladder (401/403 → auth); then a symbolic
/// `code` (`rate_limited`, `auth_failed`, `timeout`, `overloaded`, `connection_error`...); then a
/// network errno or phrase in the `error` text. A rate limit takes "please retry after 20s"
/// from the text. Usage from the `{"type":"metadata","meta":{…}}` record, null-safe (a null
/// count crashed the original's hook and lost the round's classification). Records behind a
/// terminal escape are read (the original skipped them).
public struct CodewhaleStreamClassifier: TranscriptClassifier {
    public init() {}

    public func analyze(_ transcript: RoundTranscript, exit: AgentExit, now: Int64) -> TranscriptAnalysis {
        var analysis = TranscriptAnalysis()
        var sessionModel: String?
        var metadata: JSONObject?
        var lastError: RoundTranscript.Record?
        var lastProgress = -1
        for record in transcript.records {
            let object = record.object
            switch object["type"]?.stringValue {
            case "session": sessionModel = object["model"]?.stringValue
            case "metadata": metadata = object["meta"]?.objectValue ?? metadata
            case "error": lastError = record
            case "message" where object["role"]?.stringValue == "assistant": lastProgress = record.line
            case "tool_call":
                lastProgress = record.line
                let input = object["input"]?.objectValue
                let target = ["file_path", "path", "pattern", "command"].lazy.compactMap { input?[$0]?.stringValue }
                    .first
                analysis.toolCalls.append(
                    ToolCall(
                        name: object["name"]?.stringValue ?? "unknown",
                        target: target.map(ToolCall.boundedTarget)))
            default: continue
            }
        }
        if let metadata {
            analysis.sawResult = true
            analysis.usage = AgentUsage(
                model: metadata["model"]?.stringValue ?? sessionModel ?? "unknown",
                inputTokens: metadata["input_tokens"]?.intValue ?? 0,
                outputTokens: metadata["output_tokens"]?.intValue ?? 0,
                toolCallCount: analysis.toolCalls.count)
        }
        if let error = lastError, error.line > lastProgress {
            failure(error.object, now: now).apply(to: &analysis, now: now)
        }
        return analysis
    }

    static let symbolicCodes: [String: ProviderFailure.Kind] = [
        "rate_limited": .transient(.rateLimitModel), "rate_limit": .transient(.rateLimitModel),
        "too_many_requests": .transient(.rateLimitModel),
        "auth_failed": .auth, "authentication_failed": .auth, "unauthorized": .auth, "forbidden": .auth,
        "invalid_api_key": .auth,
        "timeout": .transient(.apiTimeout), "request_timeout": .transient(.apiTimeout),
        "overloaded": .transient(.apiTransient5xx), "server_error": .transient(.apiTransient5xx),
        "service_unavailable": .transient(.apiTransient5xx), "bad_gateway": .transient(.apiTransient5xx),
        "connection_error": .transient(.networkError), "connection_failed": .transient(.networkError),
        "network_error": .transient(.networkError), "connection_refused": .transient(.networkError),
    ]

    private func failure(_ error: JSONObject, now: Int64) -> ProviderFailure {
        let message = error["error"]?.stringValue ?? error["message"]?.stringValue ?? "error"
        for key in ["code", "status_code"] {
            if let status = error[key]?.intValue,
                let failure = HTTPStatusLadder.failure(status, message: message, now: now)
            {
                return failure
            }
        }
        if let code = error["code"]?.stringValue, let kind = Self.symbolicCodes[code.lowercased()] {
            switch kind {
            case .transient(.rateLimitModel): return .rateLimit(message: message, now: now)
            case .transient(let classification) where classification.bucket == .network:
                return ProviderFailure(
                    kind, message: message, networkMatch: NetworkErrorText.match(message)?.matched ?? code)
            default: return ProviderFailure(kind, message: message)
            }
        }
        return NetworkErrorText.failure(message) ?? .unclassified(message)
    }
}
