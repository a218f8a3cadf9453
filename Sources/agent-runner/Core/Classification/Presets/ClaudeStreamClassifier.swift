import FleetCore

/// Reads claude's `-p --verbose --output-format stream-json` transcript (Claude Code 2.1.332,
/// verified live against a provider stand-in; /work/notes/real-clis.md).
///
/// Every API failure ends with a `<synthetic>` assistant record and a `result` with
/// `is_error: true` (and exit 1, whatever the cause), so the verdict comes from the records:
/// - a rejected `rate_limit_event` → `rate_limit_account` at its `resetsAt`, for every
///   `rateLimitType` (five_hour, seven_day, none...), not only five_hour as the original did;
///   ignored when the run still succeeded;
/// - `api_error_status` through the shared ladder: 429, 5xx/529, 408, and 401 **and** 403 as
///   auth (claude says `authentication_failed` for both);
/// - a null status: `api_error: connection_failed`, a network errno or phrase in the text or in
///   the stderr after it (ECONNRESET, ENOTFOUND...) → network; "Request timed out" → timeout;
/// - no `result` at all (killed mid-retry): the last `system/api_retry` not followed by any
///   progress says what claude was still retrying, and its `retry_delay_ms` how long it wanted
///   to wait.
/// Usage comes from `result.usage`; the model from the last real assistant record (never the
/// `<synthetic>` error record), else `system/init`.
public struct ClaudeStreamClassifier: TranscriptClassifier {
    /// How many JSON-looking lines from the end are examined.
    public static let window = RoundTranscript.jsonWindow
    /// Used when a rejection carries no usable reset.
    public static let accountFallbackS = ProviderFailure.accountFallbackS

    public init() {}

    /// Classifies the lines of a transcript tail (the entry RoundRunner calls today).
    public func analyze(lines: [Substring], now: Int64) -> TranscriptAnalysis {
        analyze(RoundTranscript(lines: lines), now: now)
    }

    public func analyze(_ transcript: RoundTranscript, exit: AgentExit, now: Int64) -> TranscriptAnalysis {
        analyze(transcript, now: now)
    }

    /// What the records say; the exit code adds nothing (claude exits 1 on every API error).
    func analyze(_ transcript: RoundTranscript, now: Int64) -> TranscriptAnalysis {
        var analysis = TranscriptAnalysis()
        var seen = Seen()
        for record in transcript.records {
            seen.read(record, into: &analysis)
        }
        let stderr = transcript.textLines(after: seen.result?.line ?? seen.lastLine)
        if let result = seen.result?.object {
            analysis.sawResult = true
            if let usage = result["usage"]?.objectValue {
                analysis.usage = AgentUsage(
                    model: seen.model ?? seen.initModel ?? "unknown",
                    inputTokens: usage["input_tokens"]?.intValue ?? 0,
                    outputTokens: usage["output_tokens"]?.intValue ?? 0,
                    cachedTokens: usage["cache_read_input_tokens"]?.intValue ?? 0,
                    cacheCreationTokens: usage["cache_creation_input_tokens"]?.intValue ?? 0,
                    costUSD: result["total_cost_usd"]?.doubleValue,
                    durationMS: result["duration_ms"]?.intValue ?? 0,
                    toolCallCount: analysis.toolCalls.count)
            }
        }
        failure(seen, stderr: stderr, now: now)?.apply(to: &analysis, now: now)
        return analysis
    }

    /// The records that decide, in transcript order.
    private struct Seen {
        var rejection: JSONObject?
        var result: RoundTranscript.Record?
        /// The last `api_retry` with no progress after it.
        var retry: JSONObject?
        var model: String?
        var initModel: String?
        /// `error` and text of the last `<synthetic>` assistant record.
        var syntheticError: String?
        var syntheticText: String?
        var lastLine = -1

        mutating func read(_ record: RoundTranscript.Record, into analysis: inout TranscriptAnalysis) {
            let object = record.object
            lastLine = record.line
            switch object["type"]?.stringValue {
            case "rate_limit_event":
                if let info = object["rate_limit_info"]?.objectValue, info["status"]?.stringValue == "rejected" {
                    rejection = info
                }
            case "result":
                result = record
                retry = nil
            case "system":
                switch object["subtype"]?.stringValue {
                case "api_retry": retry = object
                case "init": initModel = object["model"]?.stringValue
                default: break
                }
            case "assistant":
                retry = nil
                guard let message = object["message"]?.objectValue else { return }
                let name = message["model"]?.stringValue
                if name == "<synthetic>" {
                    syntheticError = object["error"]?.stringValue
                    syntheticText = message["content"]?.arrayValue?.compactMap { $0["text"]?.stringValue }.joined(
                        separator: " ")
                } else if let name {
                    model = name
                }
                for block in message["content"]?.arrayValue ?? [] {
                    guard let block = block.objectValue, block["type"]?.stringValue == "tool_use" else { continue }
                    let input = block["input"]?.objectValue
                    let target = ["file_path", "path", "pattern", "command"].lazy.compactMap { input?[$0]?.stringValue }
                        .first
                    analysis.toolCalls.append(
                        ToolCall(
                            name: block["name"]?.stringValue ?? "unknown",
                            target: target.map(ToolCall.boundedTarget)))
                }
            case "user":
                retry = nil
            default:
                break
            }
        }
    }

    private func failure(_ seen: Seen, stderr: [String], now: Int64) -> ProviderFailure? {
        guard let result = seen.result?.object else {
            if let rejection = seen.rejection { return account(rejection, text: seen.syntheticText ?? "", now: now) }
            if let retry = seen.retry { return stillRetrying(retry, now: now) }
            // Only after claude's own records: a transcript without any is not claude's (RoundRunner
            // runs this classifier for every agent until it picks one per preset).
            guard seen.lastLine >= 0 else { return nil }
            let tail = stderr.joined(separator: "\n")
            return NetworkErrorText.firstWord(of: NetworkErrorText.connection, in: tail).map { matched in
                ProviderFailure(
                    .transient(.networkError), message: stderr.first { $0.contains(matched) } ?? tail,
                    networkMatch: matched)
            }
        }
        guard result["is_error"] == .bool(true) else { return nil }
        let text = Self.text(result["result"]) ?? seen.syntheticText ?? ""
        if let rejection = seen.rejection { return account(rejection, text: text, now: now) }
        if let status = result["api_error_status"]?.intValue {
            return HTTPStatusLadder.failure(status, message: text, now: now) ?? .unclassified(text)
        }
        let apiError = result["api_error"]?.stringValue
        let isAPIError =
            result["terminal_reason"]?.stringValue == "api_error" || apiError != nil
            || seen.syntheticError != nil || text.hasPrefix("API Error")
        guard isAPIError else { return nil }
        let evidence = ([text] + stderr).joined(separator: "\n")
        if apiError == "connection_failed" {
            let matched = NetworkErrorText.match(evidence)?.matched ?? "connection_failed"
            return ProviderFailure(.transient(.networkError), message: text, networkMatch: matched)
        }
        if let network = NetworkErrorText.failure(text, searching: evidence) { return network }
        // Older versions put the status in the text only: "API Error: 529 Overloaded".
        if text.hasPrefix("API Error: "), let status = HTTPStatusLadder.leadingStatus(text.dropFirst(11)),
            let failure = HTTPStatusLadder.failure(status, message: text, now: now)
        {
            return failure
        }
        switch seen.syntheticError {
        case "authentication_failed": return ProviderFailure(.auth, message: text)
        case "rate_limit": return .rateLimit(message: text, now: now)
        case "server_error", "overloaded": return ProviderFailure(.transient(.apiTransient5xx), message: text)
        default: return .unclassified(text)
        }
    }

    /// A rejected `rate_limit_event`: the server said when the window resets.
    private func account(_ rejection: JSONObject, text: String, now: Int64) -> ProviderFailure {
        let reset = rejection["resetsAt"]?.doubleValue.flatMap { $0.isFinite && $0 > 0 && $0 < 1e12 ? Int64($0) : nil }
        return ProviderFailure(
            .transient(.rateLimitAccount), message: text, resetAtEpoch: reset ?? now + Self.accountFallbackS)
    }

    /// Claude was killed while it waited to retry: what it was retrying, and at least as long
    /// a wait as it had planned itself (`retry_delay_ms` already honours `retry-after`).
    private func stillRetrying(_ retry: JSONObject, now: Int64) -> ProviderFailure? {
        let status = retry["error_status"]?.intValue
        let error = retry["error"]?.stringValue ?? "unknown"
        let classification: TransientError.Classification
        switch status {
        case 429?: classification = .rateLimitModel
        case let status? where HTTPStatusLadder.serverErrors.contains(status): classification = .apiTransient5xx
        case nil: classification = .networkError
        default: return nil
        }
        let attempt = retry["attempt"]?.intValue.map(String.init) ?? "?"
        let maxRetries = retry["max_retries"]?.intValue.map(String.init) ?? "?"
        let message =
            "claude was still retrying (attempt \(attempt) of \(maxRetries), error_status "
            + "\(status.map(String.init) ?? "null"), \(error)) when the round ended"
        let delayS = Int64(((retry["retry_delay_ms"]?.doubleValue ?? 0) / 1000).rounded(.up))
        let reset = now + max(Int64(classification.baseBackoffS ?? 0), min(delayS, ResetHint.maxAheadS))
        return ProviderFailure(
            .transient(classification), message: message, resetAtEpoch: reset,
            networkMatch: classification == .networkError ? "api_retry error_status null" : nil)
    }

    /// Python's `str()` of a JSON value, enough for messages; nil for a missing or null one.
    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: return text
        case nil, .null?: return nil
        case let value?: return JSONWriter(style: .python).string(value)
        }
    }
}
