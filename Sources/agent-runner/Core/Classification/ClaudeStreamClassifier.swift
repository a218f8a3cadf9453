import FleetCore

/// Reads claude's `--output-format stream-json` transcript and classifies how the round ended.
///
/// Pure: transcript lines and the current time in, a ``TranscriptAnalysis`` out. Only the last
/// 200 JSON-looking lines are considered (a transcript can be megabytes); each is parsed with
/// the hardened parser, so a hostile or torn line is skipped, never fatal.
public struct ClaudeStreamClassifier: Sendable {
    /// How many JSON-looking lines from the end are examined.
    public static let window = 200
    /// Used when a five-hour rejection carries no usable reset.
    public static let accountFallbackS: Int64 = 300

    private let parser = JSONParser(limits: JSONParser.Limits(maxDepth: 32, maxBytes: 1 << 20), invalidUTF8: .replace)

    public init() {}

    /// Classifies `lines` (the transcript split on newlines) at time `now` (Unix seconds).
    public func analyze(lines: [Substring], now: Int64) -> TranscriptAnalysis {
        let records = scan(Self.lastJSONLines(lines))
        var analysis = TranscriptAnalysis()
        analysis.toolCalls = records.toolCalls
        let resultText = records.result?["result"].map(Self.text) ?? ""
        let raw = String(SecretRedactor.redact(String(resultText.prefix(400))).prefix(200))
        classify(records, raw: raw, now: now, into: &analysis)
        if let result = records.result {
            analysis.sawResult = true
            analysis.usage = Self.usage(result, model: records.model, toolCalls: records.toolCalls.count)
        }
        return analysis
    }

    /// The records of a transcript that decide its classification.
    private struct Records {
        /// The last rejected `rate_limit_event`'s `rate_limit_info`.
        var rejection: JSONObject?
        /// The last `result` record.
        var result: JSONObject?
        /// The model the last assistant message names.
        var model: String?
        var toolCalls: [ToolCall] = []
    }

    /// The last ``window`` lines that look like JSON, in order.
    private static func lastJSONLines(_ lines: [Substring]) -> [Substring] {
        var jsonLines: [Substring] = []
        for line in lines.reversed() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard let first = trimmed.first, first == "{" || first == "[" else { continue }
            jsonLines.append(trimmed)
            if jsonLines.count == Self.window { break }
        }
        return jsonLines.reversed()
    }

    private func scan(_ jsonLines: [Substring]) -> Records {
        var records = Records()
        for line in jsonLines {
            guard let value = try? parser.parse(Array(line.utf8)), let record = value.objectValue else { continue }
            switch record["type"]?.stringValue {
            case "rate_limit_event":
                if let info = record["rate_limit_info"]?.objectValue, info["status"]?.stringValue == "rejected" {
                    records.rejection = info
                }
            case "result":
                records.result = record
            case "assistant":
                guard let message = record["message"]?.objectValue else { continue }
                if let name = message["model"]?.stringValue { records.model = name }
                records.toolCalls += Self.toolCalls(in: message)
            default:
                continue
            }
        }
        return records
    }

    private static func toolCalls(in message: JSONObject) -> [ToolCall] {
        (message["content"]?.arrayValue ?? []).compactMap { block in
            guard let block = block.objectValue, block["type"]?.stringValue == "tool_use" else { return nil }
            let input = block["input"]?.objectValue
            let target = ["file_path", "path", "pattern", "command"].lazy.compactMap { input?[$0]?.stringValue }.first
            return ToolCall(name: block["name"]?.stringValue ?? "unknown",
                            target: target.map { String($0.prefix(100)) })
        }
    }

    /// A five-hour rejection is the account limit (reset from the event); a failed result with an
    /// API status is a model limit, a 5xx or a timeout (reset estimated), or an auth failure.
    private func classify(_ records: Records, raw: String, now: Int64, into analysis: inout TranscriptAnalysis) {
        if let rejection = records.rejection, rejection["rateLimitType"]?.stringValue == "five_hour" {
            let reset = rejection["resetsAt"]?.doubleValue.flatMap {
                $0.isFinite && $0 > 0 && $0 < 1e12 ? Int64($0) : nil
            }
            analysis.transient = TransientError(classification: .rateLimitAccount,
                                                resetAtEpoch: reset ?? now + Self.accountFallbackS, raw: raw)
            return
        }
        guard let result = records.result, result["is_error"] == .bool(true),
              let status = result["api_error_status"]?.intValue else { return }
        let classification: TransientError.Classification?
        switch status {
        case 429: classification = .rateLimitModel
        case 500, 502, 503, 504, 529: classification = .apiTransient5xx
        case 408: classification = .apiTimeout
        case 401: classification = nil; analysis.authFailure = raw
        default: classification = nil
        }
        if let classification, let base = classification.baseBackoffS {
            analysis.transient = TransientError(classification: classification, resetAtEpoch: now + Int64(base),
                                                raw: raw)
        }
    }

    private static func usage(_ result: JSONObject, model: String?, toolCalls: Int) -> AgentUsage? {
        guard let usage = result["usage"]?.objectValue else { return nil }
        return AgentUsage(
            model: model ?? "unknown",
            inputTokens: usage["input_tokens"]?.intValue ?? 0,
            outputTokens: usage["output_tokens"]?.intValue ?? 0,
            cachedTokens: usage["cache_read_input_tokens"]?.intValue ?? 0,
            cacheCreationTokens: usage["cache_creation_input_tokens"]?.intValue ?? 0,
            costUSD: result["total_cost_usd"]?.doubleValue,
            durationMS: result["duration_ms"]?.intValue ?? 0,
            toolCallCount: toolCalls)
    }

    /// Python's `str()` of a JSON value, enough for messages.
    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .null: return "None"
        default: return JSONWriter(style: .python).string(value)
        }
    }
}
