import FleetCore

/// A recoverable failure reported by the agent's provider: ride it out instead of counting it
/// as a crash (it must never trip crash_loop).
public struct TransientError: Sendable, Equatable {
    /// The wire names (`transient_error_detected.classification`, peek's `limit_type`) are the
    /// original's; ``networkError`` is ours (a connection that never reached the provider).
    public enum Classification: String, Sendable, CaseIterable {
        /// The provider stated when the limit resets (claude's `rate_limit_event.resetsAt` for any
        /// window: five-hour, seven-day, ...; or a "resets 12:18am (UTC)" in the CLI's text). Used
        /// verbatim, never escalated: waking earlier only earns another rejection.
        case rateLimitAccount = "rate_limit_account"
        /// A 429 whose reset is estimated (the default, or a "try again in 20s" hint).
        case rateLimitModel = "rate_limit_model"
        /// 500/502/503/504/529 or the CLI's own "overloaded" / "server error" words.
        case apiTransient5xx = "api_transient_5xx"
        /// 408, or the CLI gave up waiting for the provider ("Request timed out").
        case apiTimeout = "api_timeout"
        /// The provider was never reached: refused, reset, DNS (ECONNRESET, ENOTFOUND, EAI_AGAIN...).
        /// The original counted these as crashes, so a ten-minute DNS outage stopped the service.
        case networkError = "network_error"

        /// Seconds to wait when the server gave no reset (the original's defaults; the network
        /// class waits as long as a timeout).
        public var baseBackoffS: Int? {
            switch self {
            case .rateLimitAccount: return nil
            case .rateLimitModel, .apiTransient5xx: return 60
            case .apiTimeout, .networkError: return 30
            }
        }

        /// The operator's bucket this classification belongs to.
        public var bucket: FailureBucket {
            switch self {
            case .rateLimitAccount, .rateLimitModel: return .rateLimit
            case .apiTransient5xx: return .serverError
            case .apiTimeout, .networkError: return .network
            }
        }
    }

    public var classification: Classification
    /// When the throttle ends, in Unix seconds (server-provided for the account limit).
    public var resetAtEpoch: Int64
    /// The provider's message, redacted and capped at 200 characters.
    public var raw: String

    public init(classification: Classification, resetAtEpoch: Int64, raw: String) {
        self.classification = classification
        self.resetAtEpoch = resetAtEpoch
        self.raw = raw
    }
}
