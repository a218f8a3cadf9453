import FleetCore

/// Reads kimi's `--output-format stream-json` transcript. Built from the original's plugin rules
/// and samples replayed through the original; not verified against a real kimi CLI.
///
/// kimi ends a failed run with one plain stderr line,
/// `error: failed to run prompt: provider.<kind>: <status> <message>`, which decides:
/// `auth_error` → auth, `rate_limit` → rate limit (with "please try again after 1 seconds"),
/// `server_error` → server error, `timeout` → timeout, a connection kind or errno → network,
/// else the leading status through the shared ladder. Without that line (kimi was killed while
/// retrying), the last `{"role":"meta","type":"turn.step.retrying"}` with no assistant record
/// after it gives the `status_code`. Unlike the original, the exit code is not consulted and
/// auth is recognised (kimi never retries it, so it only ever appears in the error line).
/// kimi prints no usage.
public struct KimiStreamClassifier: TranscriptClassifier {
    public init() {}

    static let providerKinds: [String: ProviderFailure.Kind] = [
        "auth_error": .auth, "authentication_error": .auth, "permission_error": .auth, "permission_denied": .auth,
        "rate_limit": .transient(.rateLimitModel), "server_error": .transient(.apiTransient5xx),
        "overloaded": .transient(.apiTransient5xx), "service_unavailable": .transient(.apiTransient5xx),
        "timeout": .transient(.apiTimeout), "connection_error": .transient(.networkError),
        "network_error": .transient(.networkError), "connection": .transient(.networkError),
    ]

    public func analyze(_ transcript: RoundTranscript, exit: AgentExit, now: Int64) -> TranscriptAnalysis {
        var analysis = TranscriptAnalysis()
        var lastRetry: RoundTranscript.Record?
        var lastProgress = -1
        for record in transcript.records {
            let object = record.object
            switch object["role"]?.stringValue {
            case "meta" where object["type"]?.stringValue == "turn.step.retrying": lastRetry = record
            case "assistant":
                lastProgress = record.line
                for call in object["tool_calls"]?.arrayValue ?? [] {
                    guard let function = call["function"]?.objectValue else { continue }
                    analysis.toolCalls.append(ToolCall(name: function["name"]?.stringValue ?? "unknown", target: nil))
                }
            default: continue
            }
        }
        // The error line kimi ends a failed run with; one followed by progress was not the end.
        let errorLine = transcript.lines.lastIndex { $0.hasPrefix("error: ") }.flatMap { $0 > lastProgress ? $0 : nil }
        if let errorLine {
            failure(errorLine: transcript.lines[errorLine], now: now).apply(to: &analysis, now: now)
        } else if let retry = lastRetry, retry.line > lastProgress, let status = retry.object["status_code"]?.intValue {
            let message = retry.object["error_message"]?.stringValue ?? "retrying"
            HTTPStatusLadder.failure(status, message: message, now: now)?.apply(to: &analysis, now: now)
        }
        return analysis
    }

    /// `error: failed to run prompt: provider.rate_limit: 429 …` → the failure of its kind.
    private func failure(errorLine: String, now: Int64) -> ProviderFailure {
        guard let range = errorLine.firstRange(of: "provider.") else {
            let message = String(errorLine.dropFirst("error: ".count))
            return NetworkErrorText.failure(message) ?? .unclassified(message)
        }
        let afterProvider = errorLine[range.upperBound...]
        let kind = afterProvider.prefix { $0 != ":" && $0 != " " }
        let message = String(afterProvider[kind.endIndex...].drop { $0 == ":" || $0 == " " })
        switch Self.providerKinds[String(kind)] {
        case .transient(.rateLimitModel)?:
            return .rateLimit(message: message, now: now)
        case .transient(let classification)? where classification.bucket == .network:
            return ProviderFailure(
                .transient(classification), message: message,
                networkMatch: NetworkErrorText.match(message)?.matched ?? "provider.\(kind)")
        case let known?:
            return ProviderFailure(known, message: message)
        case nil:
            if let status = HTTPStatusLadder.leadingStatus(Substring(message)),
                let failure = HTTPStatusLadder.failure(status, message: message, now: now)
            {
                return failure
            }
            return NetworkErrorText.failure(message) ?? .unclassified(message)
        }
    }
}
