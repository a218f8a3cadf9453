import FleetCore

// The events of a provider throttle: detected in a transcript, waited out, recovered.

/// `transient_error_detected`: the transcript shows a rate limit or an API error; serve waits
/// until `reset_at_epoch` before the next round. `phase` is empty without phases.
public struct TransientErrorDetected: TypedEvent {
    public static let kind = EventKind.transientErrorDetected
    public static let fields: [EventField<Self>] = [
        .string("classification", \.error.classification.rawValue), .string("agent", \.agent),
        .int("reset_at_epoch", \.error.resetAtEpoch), .int("round_num", \.roundNum), .string("raw", \.error.raw),
        EventField("phase", type: "str") { .string($0.phase ?? "") },
    ]

    public var error: TransientError
    public var agent: String
    public var roundNum: Int
    public var phase: String?

    public init(error: TransientError, agent: String, roundNum: Int, phase: String?) {
        self.error = error
        self.agent = agent
        self.roundNum = roundNum
        self.phase = phase
    }
}

/// `transient_error_backoff_capped`: the back-off escalated past the provider's reset or was
/// cut at the absolute maximum (see ``BackoffPlanner``).
public struct TransientErrorBackoffCapped: TypedEvent {
    public static let kind = EventKind.transientErrorBackoffCapped
    public static let fields: [EventField<Self>] = [
        .string("classification", \.classification.rawValue), .string("agent", \.agent),
        .int("requested_sleep_s", \.capped.requestedSleepS), .int("applied_sleep_s", \.capped.appliedSleepS),
        .int("original_reset_at_epoch", \.capped.originalResetEpoch),
        .int("applied_reset_at_epoch", \.appliedResetEpoch),
        .int("consecutive_count", \.capped.consecutiveCount),
        .bool("capped_by_absolute_max", \.capped.cappedByAbsoluteMax),
    ]

    public var classification: TransientError.Classification
    public var agent: String
    public var capped: BackoffPlan.Capped
    public var appliedResetEpoch: Int64

    public init(
        classification: TransientError.Classification, agent: String, capped: BackoffPlan.Capped,
        appliedResetEpoch: Int64
    ) {
        self.classification = classification
        self.agent = agent
        self.capped = capped
        self.appliedResetEpoch = appliedResetEpoch
    }
}

/// `transient_error_recovered`: serve waited the throttle out (`throttled_for_s`, whole seconds
/// on the monotonic clock) and runs the next round.
public struct TransientErrorRecovered: TypedEvent {
    public static let kind = EventKind.transientErrorRecovered
    public static let fields: [EventField<Self>] = [
        .string("classification", \.classification.rawValue), .string("agent", \.agent),
        .int("throttled_for_s", \.throttledForS),
    ]

    public var classification: TransientError.Classification
    public var agent: String
    public var throttledForS: Int64

    public init(classification: TransientError.Classification, agent: String, throttledForS: Int64) {
        self.classification = classification
        self.agent = agent
        self.throttledForS = throttledForS
    }
}
