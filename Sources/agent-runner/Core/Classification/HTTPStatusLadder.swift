/// The HTTP status a CLI reported, mapped the same way for every preset: the original's shared
/// ladder (429, 500/502/503/504/529, 408) plus auth (401 and 403: claude says
/// `authentication_failed` for both; the original had no bucket for either).
///
/// Anything else (400, 404, 413, 501...) is not transient: a back-off cannot fix the request.
enum HTTPStatusLadder {
    static let serverErrors: Set<Int64> = [500, 502, 503, 504, 529]

    static func kind(_ status: Int64) -> ProviderFailure.Kind? {
        switch status {
        case 401, 403: return .auth
        case 429: return .transient(.rateLimitModel)
        case 408: return .transient(.apiTimeout)
        case _ where serverErrors.contains(status): return .transient(.apiTransient5xx)
        default: return nil
        }
    }

    /// The failure for `status` with `message`; a rate limit takes a reset from the text.
    static func failure(_ status: Int64, message: String, now: Int64) -> ProviderFailure? {
        switch kind(status) {
        case nil: return nil
        case .transient(.rateLimitModel): return .rateLimit(message: message, now: now)
        case let kind?: return ProviderFailure(kind, message: message)
        }
    }

    /// The status at the start of `text` (`"429 status code"`, `"401: {...}"`), as pi and kimi print it.
    static func leadingStatus(_ text: Substring) -> Int64? {
        let trimmed = text.drop { $0 == " " || $0 == "\t" }
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard digits.count == 3, trimmed.dropFirst(3).first.map({ !($0.isLetter || $0.isNumber) }) ?? true else {
            return nil
        }
        return Int64(digits)
    }
}
