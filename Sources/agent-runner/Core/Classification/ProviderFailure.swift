import FleetCore

/// What one classifier concluded about a failed round, before it becomes a ``TranscriptAnalysis``:
/// every preset fills the same fields the same way (redaction, the 200-scalar cap, the
/// default back-off when the CLI printed no reset).
struct ProviderFailure: Equatable {
    enum Kind: Equatable {
        case transient(TransientError.Classification)
        case auth
        /// The CLI reported an error no back-off can fix (a 400, an unknown model): no bucket,
        /// but the round failed whatever its exit code.
        case unclassified
    }

    var kind: Kind
    /// The CLI's message, unredacted; ``apply(to:now:)`` redacts and caps it.
    var message: String
    /// A reset the CLI printed (Unix seconds); nil → the classification's default back-off.
    var resetAtEpoch: Int64?
    /// The text that showed a network failure; defaults to the message for the network bucket.
    var networkMatch: String?

    init(_ kind: Kind, message: String, resetAtEpoch: Int64? = nil, networkMatch: String? = nil) {
        self.kind = kind
        self.message = message
        self.resetAtEpoch = resetAtEpoch
        self.networkMatch = networkMatch
    }

    /// Fallback reset of a server-stated limit whose reset is unusable (the original's 300 s).
    static let accountFallbackS: Int64 = 300

    /// `text` as it may leave the host: secrets masked, then cut to 200 scalars (and 800 bytes).
    static func raw(_ text: String) -> String {
        SecretRedactor.redact(
            UTF8Clip.prefix(text, maxBytes: 64 << 10), clippedTo: 800, maxScalars: 200, keeping: .head)
    }

    /// An error the CLI reported that belongs to no bucket.
    static func unclassified(_ message: String) -> ProviderFailure {
        ProviderFailure(.unclassified, message: message)
    }

    /// A rate limit from `message`: a reset the text states (absolute → account, relative →
    /// model), else the model class with its default back-off.
    static func rateLimit(message: String, now: Int64) -> ProviderFailure {
        switch ResetHint.parse(message, now: now) {
        case .at(let epoch):
            return ProviderFailure(.transient(.rateLimitAccount), message: message, resetAtEpoch: epoch)
        case .after(let seconds):
            return ProviderFailure(.transient(.rateLimitModel), message: message, resetAtEpoch: now + seconds)
        case nil: return ProviderFailure(.transient(.rateLimitModel), message: message)
        }
    }

    /// Writes this failure into `analysis` (and marks the run as failed).
    func apply(to analysis: inout TranscriptAnalysis, now: Int64) {
        analysis.reportedError = true
        let raw = Self.raw(message)
        switch kind {
        case .unclassified:
            break
        case .auth:
            analysis.authFailure = raw
        case .transient(let classification):
            let reset = resetAtEpoch ?? now + Int64(classification.baseBackoffS ?? Int(Self.accountFallbackS))
            analysis.transient = TransientError(classification: classification, resetAtEpoch: reset, raw: raw)
            if classification.bucket == .network {
                analysis.networkMatch = Self.raw(networkMatch ?? message)
            }
        }
    }
}
