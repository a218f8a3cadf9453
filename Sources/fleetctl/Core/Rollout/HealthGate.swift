import FleetCore

/// One look at an upgraded host during a stage's bake.
public struct HealthSample: Sendable, Equatable {
    /// The host answered `peek --json` (false: could not measure, e.g. ssh failed).
    public var measured: Bool
    public var version: String?
    /// The service is active (systemd or pid file), when known.
    public var serviceActive: Bool?
    /// The host's round number, to see rounds progress when the service state is unknown.
    public var round: Int?
    /// Critical alerts firing on the host that were not firing before the upgrade.
    public var newCriticalAlerts: [String]

    public init(
        measured: Bool, version: String? = nil, serviceActive: Bool? = nil, round: Int? = nil,
        newCriticalAlerts: [String] = []
    ) {
        self.measured = measured
        self.version = version
        self.serviceActive = serviceActive
        self.round = round
        self.newCriticalAlerts = newCriticalAlerts
    }
}

/// The health gate after a stage: every upgraded host must answer from the new version, its
/// service must be active (or its rounds progress), and no new critical alert may fire on it.
/// "Could not measure" is not "unhealthy": it is retried, and only repeated failures to measure
/// count against the host. Pure: samples in, verdict out.
public struct HealthGate: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        case healthy
        case unhealthy(String)
        /// Not enough evidence yet: sample again.
        case pending
    }

    public var target: String
    /// Consecutive unmeasurable samples that count as a failure.
    public var maxUnmeasurable: Int

    public init(target: String, maxUnmeasurable: Int = 3) {
        self.target = target
        self.maxUnmeasurable = maxUnmeasurable
    }

    /// The verdict for one host from its samples so far (oldest first). `bakeOver` says the
    /// bake time has elapsed: only then can a host be declared healthy.
    public func evaluate(_ samples: [HealthSample], bakeOver: Bool, roundBefore: Int?) -> Verdict {
        var unmeasured = 0
        for sample in samples {
            guard sample.measured else {
                unmeasured += 1
                if unmeasured >= maxUnmeasurable {
                    return .unhealthy("could not be measured \(unmeasured) times in a row")
                }
                continue
            }
            unmeasured = 0
            if let version = sample.version, version != target {
                return .unhealthy("answers from version \(version), not \(target)")
            }
            if !sample.newCriticalAlerts.isEmpty {
                return .unhealthy("new critical alert: \(sample.newCriticalAlerts.joined(separator: ", "))")
            }
            if sample.serviceActive == false {
                return .unhealthy("its service is not running")
            }
        }
        guard bakeOver, let last = samples.last(where: \.measured) else { return .pending }
        if last.version == nil { return .unhealthy("did not report its version") }
        if last.serviceActive == nil, let before = roundBefore, (last.round ?? before) <= before {
            return .unhealthy("no round progressed during the bake")
        }
        return .healthy
    }
}
