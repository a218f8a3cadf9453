/// Reads aider's plain-text output (aider 0.86.2 with litellm 1.81.10, verified live against an
/// OpenAI-compatible stand-in; /work/notes/real-clis.md).
///
/// aider exits 0 after every provider error, so only the text tells: the last
/// `litellm.<Name>Error` message (see ``AiderError`` for the wrapping), unless aider went on to
/// produce output after it (a retry that succeeded). By exception name:
/// - `AuthenticationError`, `PermissionDeniedError` → auth;
/// - `RateLimitError` → rate limit, with the provider's "Please try again in 20s" when present;
/// - `InternalServerError`, `ServiceUnavailableError`, `BadGatewayError` → server error, except
///   "Connection error." and other connection failures (aider reports a refused connection as
///   an InternalServerError) → network;
/// - `APIConnectionError` → timeout when it "timed out", else network; `Timeout` → timeout;
/// - anything else with an `Error code: NNN` → the shared status ladder; otherwise no bucket,
///   but the round failed (`reportedError`).
/// Usage comes from the `Tokens: …` lines (``AiderTokenReport``).
public struct AiderTextClassifier: TranscriptClassifier {
    public init() {}

    public func analyze(_ transcript: RoundTranscript, exit: AgentExit, now: Int64) -> TranscriptAnalysis {
        var analysis = TranscriptAnalysis()
        analysis.usage = AiderTokenReport.usage(in: transcript.lines)
        guard let error = AiderError.all(in: transcript.lines).last else { return analysis }
        let after = transcript.lines[(error.lastLine + 1)...]
        guard after.allSatisfy(AiderError.isAiderFollowUp) else { return analysis }
        failure(error, now: now).apply(to: &analysis, now: now)
        return analysis
    }

    func failure(_ error: AiderError, now: Int64) -> ProviderFailure {
        let text = error.text
        switch error.name {
        case "AuthenticationError", "PermissionDeniedError":
            return ProviderFailure(.auth, message: text)
        case "RateLimitError":
            return .rateLimit(message: text, now: now)
        case "InternalServerError", "ServiceUnavailableError", "BadGatewayError":
            if let matched = NetworkErrorText.firstWord(of: NetworkErrorText.connection, in: text) {
                return ProviderFailure(.transient(.networkError), message: text, networkMatch: matched)
            }
            return ProviderFailure(.transient(.apiTransient5xx), message: text)
        case "APIConnectionError":
            return NetworkErrorText.failure(text)
                ?? ProviderFailure(.transient(.networkError), message: text, networkMatch: "APIConnectionError")
        case "Timeout":
            return ProviderFailure(.transient(.apiTimeout), message: text, networkMatch: "Timeout")
        default:
            guard let status = Self.errorCode(in: text) else { return .unclassified(text) }
            return HTTPStatusLadder.failure(status, message: text, now: now) ?? .unclassified(text)
        }
    }

    /// The status in the OpenAI SDK's "Error code: 429 - {…}".
    static func errorCode(in text: String) -> Int64? {
        guard let range = text.firstRange(of: "Error code: ") else { return nil }
        return HTTPStatusLadder.leadingStatus(text[range.upperBound...])
    }
}
