/// The four kinds of provider failure a round's output can show, in the operator's words
/// (docs/agents.md has one row per preset and bucket).
///
/// Rate limits, server errors and network failures are transient: the round rides the back-off
/// and never counts towards crash_loop. An auth failure is not: waiting does not fix a rejected
/// credential, so it is reported (`agent_auth_error_detected`) and restarted like a crash.
public enum FailureBucket: String, Sendable, CaseIterable {
    case rateLimit = "rate_limit"
    case serverError = "server_error"
    case auth
    case network
}
