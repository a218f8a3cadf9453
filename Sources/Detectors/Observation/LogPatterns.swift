/// The text patterns that classify a failed round from its log, shared by the supervisor
/// (`agent_network_blip`) and the detectors (network_fail, oauth_fail).
public enum LogPatterns {
    /// Network failures, as the original tool matches them (case-insensitive).
    public static let network =
        #"\b(connection refused|econnrefused|dns|name or service not known|connect(ion)? timed out|nodename nor servname|network unreachable|50[023] (service unavailable|bad gateway|gateway timeout)|connection reset)\b"#

    /// The errno codes node and libc print for a connection that never reached the provider.
    /// Not part of ``network`` (the original's regex, which `agent_network_blip` keeps): used
    /// where fleetctl classifies a transcript itself (``RoundLogVerdict``), so a `read ECONNRESET`
    /// round on an original host counts towards network_fail.
    public static let networkCodes =
        #"\b(ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ENETDOWN)\b"#

    /// Authentication failures, as the original tool matches them (case-insensitive): the
    /// default of `[monitor] auth_fail_patterns`.
    public static let authFailure =
        #"\b(oauth|unauthorized|401|api[_ ]key|auth(entication)?[_ -]?(failed|error|expired)|session.*expired)\b"#

    /// The first match of `pattern` (case-insensitive) in `text`, or nil. An invalid pattern never matches.
    public static func firstMatch(of pattern: String, in text: String) -> String? {
        guard let regex = try? Regex(pattern).ignoresCase(), let match = text.firstMatch(of: regex) else { return nil }
        return String(text[match.range])
    }
}
