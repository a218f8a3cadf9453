import FleetCore

/// Everything the detectors need to know about one host at one instant.
///
/// Built once per host per poll, usually from the host's `peek --json` document
/// (``init(peek:pollerNow:)``), then handed to ``DetectorSuite``. Pure data: no detector reads
/// a clock or a file, so the same observation always gives the same alerts. Collections are
/// bounded (the newest ``maxEvents`` events, ``maxRounds`` rounds, ``maxSystemSamples`` samples)
/// so a host that ships a huge document costs fleetctl a bounded amount of work per poll.
public struct HostObservation: Sendable {
    /// Most events kept (the newest).
    public static let maxEvents = 2_000
    /// Most rounds kept (the newest).
    public static let maxRounds = 200
    /// Most system samples kept (the newest).
    public static let maxSystemSamples = 64

    /// Whose clock ``now`` is.
    public enum ClockSource: Sendable, Equatable {
        /// The host's own clock (peek's `generated_at`): comparable with its event timestamps
        /// even when the host's clock is skewed against the operator's.
        case host
        /// The poller's clock, for hosts that do not report theirs.
        case poller
    }

    /// The instant the observation describes.
    public var now: UTCInstant
    public var clock: ClockSource
    /// The project name, when the host reported it.
    public var project: String?
    /// The newest events, in log (chronological) order. Read-only after init: ``eventIndex``
    /// describes them.
    public private(set) var events: [Event]
    /// The kinds of ``events`` the detectors read, classified once per observation.
    let eventIndex: EventIndex
    /// The newest rounds, oldest first.
    public var rounds: [RoundSummary]
    /// System samples, oldest first; the last is the latest.
    public var system: [SystemSample]
    public var config: HostConfigFacts
    /// The host's own view of its active throttle, if it reported one.
    public var reportedThrottle: ReportedThrottle?
    /// Who wrote the peek document this observation was read from.
    public var producer: PeekProducer

    /// An observation from its parts (a local log directory, a test); collections are cut to their bounds.
    /// - Parameter rounds: nil derives them from `events` (``RoundSummary/derive(from:logFailures:)``).
    public init(
        now: UTCInstant, clock: ClockSource = .poller, project: String? = nil, events: [Event] = [],
        rounds: [RoundSummary]? = nil, system: [SystemSample] = [], config: HostConfigFacts = HostConfigFacts(),
        reportedThrottle: ReportedThrottle? = nil, producer: PeekProducer = .unknown
    ) {
        self.now = now
        self.clock = clock
        self.project = project
        self.events = Array(events.suffix(Self.maxEvents))
        self.eventIndex = EventIndex(self.events)
        self.rounds = Array((rounds ?? RoundSummary.derive(from: self.events)).suffix(Self.maxRounds))
        self.system = Array(system.suffix(Self.maxSystemSamples))
        self.config = config
        self.reportedThrottle = reportedThrottle
        self.producer = producer
    }

    /// The latest system sample.
    public var latestSample: SystemSample? { system.last }

    /// The sample before the latest one (for counters such as swap-out).
    public var previousSample: SystemSample? { system.count >= 2 ? system[system.count - 2] : nil }

    /// ``now`` as fractional Unix seconds.
    var nowEpoch: Double { Double(now.seconds) + Double(now.nanoseconds) / 1e9 }

    /// Seconds from `instant` to ``now`` (negative when `instant` is in the future).
    func seconds(since instant: UTCInstant) -> Double {
        // In doubles: a hostile timestamp at the end of the range must not overflow Int64.
        (Double(now.seconds) - Double(instant.seconds)) + Double(Int64(now.nanoseconds) - Int64(instant.nanoseconds))
            / 1e9
    }
}

extension HostObservation {
    /// Marks the rounds whose transcripts the poller classified (``RoundLogVerdict``): a verdict
    /// applies to the round of its number whose start it names (any, when it names none), and
    /// only adds failures, never clears what the host's own events said.
    public mutating func apply(_ verdicts: [RoundLogVerdict]) {
        guard !verdicts.isEmpty else { return }
        for position in rounds.indices {
            let round = rounds[position]
            for verdict in verdicts
            where verdict.roundNum == round.roundNum
                && (verdict.startedAt == nil || verdict.startedAt == round.startedAt)
            {
                if verdict.failures.contains(.auth) { rounds[position].authFailure = true }
                if verdict.failures.contains(.network) { rounds[position].networkFailure = true }
            }
        }
    }

    /// The newest sample's `disk_used_pct` (the original reads the latest metrics line that has one).
    var latestDiskUsedPct: Double? {
        system.last { $0.diskUsedPct != nil }?.diskUsedPct
    }
}
