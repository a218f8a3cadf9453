/// Reads the output of an agent CLI that is no preset (a wrapper script, a new CLI): the
/// status codes and phrases every HTTP client prints, in the last lines a dying CLI writes.
///
/// An unknown CLI's text is no evidence of failure by itself (a successful agent may well
/// summarise "added handling for 429 responses"), so this is the one classifier that weighs the
/// exit: only a round that did not end cleanly is read, and only its last ``tailLines``
/// non-blank lines, newest first. In each line auth wins over a rate limit, which wins over a
/// server error, which wins over a network failure:
/// - auth: 401/403 next to "status"/"HTTP"/"error"/"code", "unauthorized", "authentication
///   failed", "invalid api key";
/// - rate limit: 429 (same context), "too many requests", "rate limit", "quota exceeded",
///   "resource_exhausted", "usage limit" (with a reset hint when the line states one);
/// - server error: 500/502/503/504/529 (same context), "internal server error", "service
///   unavailable", "bad gateway", "overloaded";
/// - network: errnos and connection phrases (``NetworkErrorText``), "timed out".
public struct GenericTextClassifier: TranscriptClassifier {
    /// How many non-blank lines from the end are read.
    public static let tailLines = 20

    public init() {}

    public func analyze(_ transcript: RoundTranscript, exit: AgentExit, now: Int64) -> TranscriptAnalysis {
        var analysis = TranscriptAnalysis()
        guard !exit.ok else { return analysis }
        let tail = transcript.lines.filter { !$0.allSatisfy { $0 == " " || $0 == "\t" } }.suffix(Self.tailLines)
        for line in tail.reversed() {
            if let failure = Self.failure(line, now: now) {
                failure.apply(to: &analysis, now: now)
                break
            }
        }
        return analysis
    }

    static let authPhrases = [
        "unauthorized", "authentication failed", "authentication_error", "authentication error",
        "invalid api key", "invalid x-api-key", "invalid_api_key",
    ]
    static let ratePhrases = [
        "too many requests", "rate limit", "rate limited", "rate_limit", "rate_limited", "ratelimit", "rate-limit",
        "rate-limited", "quota exceeded", "resource_exhausted", "usage limit",
    ]
    static let serverPhrases = [
        "internal server error", "service unavailable", "bad gateway", "gateway timeout", "overloaded",
        "overloaded_error",
    ]
    static let statusContext = ["status", "http", "error", "code"]

    static func failure(_ line: String, now: Int64) -> ProviderFailure? {
        let statuses = statusCodes(in: line)
        let has = { (phrases: [String]) in NetworkErrorText.firstWord(of: phrases, in: line) != nil }
        if statuses.contains(where: { $0 == 401 || $0 == 403 }) || has(authPhrases) {
            return ProviderFailure(.auth, message: line)
        }
        if statuses.contains(429) || has(ratePhrases) {
            return .rateLimit(message: line, now: now)
        }
        if statuses.contains(where: HTTPStatusLadder.serverErrors.contains) || has(serverPhrases) {
            return ProviderFailure(.transient(.apiTransient5xx), message: line)
        }
        if let matched = NetworkErrorText.firstWord(of: NetworkErrorText.connection, in: line) {
            return ProviderFailure(.transient(.networkError), message: line, networkMatch: matched)
        }
        if let matched = NetworkErrorText.firstWord(of: ["request timed out", "timed out"], in: line) {
            return ProviderFailure(.transient(.apiTimeout), message: line, networkMatch: matched)
        }
        return nil
    }

    /// Three-digit words in `line` when the line speaks of a status ("HTTP 503", "error: 429").
    static func statusCodes(in line: String) -> [Int64] {
        let lowered = line.lowercased()
        guard statusContext.contains(where: lowered.contains) else { return [] }
        var codes: [Int64] = []
        var digits = ""
        var previous: Character = " "
        for character in line + " " {
            if character.isASCII && character.isNumber {
                // A digit glued to a word ("v1429", "abc500") is no status: poison the run.
                if digits.isEmpty && previous.isLetter { digits = "x" }
                digits.append(character)
            } else {
                if digits.count == 3, !character.isLetter, let code = Int64(digits) { codes.append(code) }
                digits = ""
            }
            previous = character
        }
        return codes
    }
}
