/// Tells ssh blips from a host that is really gone, for steady polling (detectors.md §7).
///
/// Failures open an episode. Each failure is a ``RemoteFailureTransition/blip(_:)`` while the
/// episode is younger than the tolerance, with a back-off of 1, 2, 4, 8, 16 then 30 s capped by
/// the tolerance left; the failure that finds the episode at least `toleranceS` old (or any
/// failure when the tolerance is 0) is the one ``RemoteFailureTransition/giveUp(_:)``; later
/// failures are ``RemoteFailureTransition/stillDown(attempts:elapsedS:)``.
///
/// **Flapping rule.** An episode ends only when the host has stayed reachable for `settleS`
/// seconds: the first success after a failure starts the settle clock, every failure stops it,
/// and only a success at least `settleS` after the settle clock started closes the episode
/// (``RemoteFailureTransition/reset(attempts:)``, or ``RemoteFailureTransition/recovered(attempts:downForS:)``
/// after a give-up). A host going up and down every few seconds is therefore one episode: its
/// blips count toward one tolerance, it gives up once, and recovers once, instead of the
/// original's "any success resets everything", under which a flapping host never gives up and a
/// flapping given-up host would alternate give-up and recovery alerts. `settleS = 0` restores
/// the original's immediate reset. The give-up alert should be fed to the host's
/// ``AlertTracker`` while ``givenUp`` holds (see ``activeAlert(host:)``), which dedups it as well.
///
/// Time is a monotonic reading in seconds supplied by the caller; a reading that goes backwards
/// or is not finite is treated as the last good one.
public struct RemoteFailureTolerance: Sendable, Equatable {
    /// Back-off steps, seconds; the last one repeats.
    public static let backoffS: [Int] = [1, 2, 4, 8, 16, 30]
    /// The original's default `remote_failure_tolerance_s`.
    public static let defaultToleranceS = 90
    /// Default settle period: two polls at the default 30 s interval.
    public static let defaultSettleS: Double = 60

    /// A run of failures (with successes shorter than the settle period in between).
    public struct Episode: Sendable, Equatable {
        /// Monotonic time of the first failure.
        public var startedAt: Double
        /// Failed polls so far.
        public var attempts: Int
        /// The give-up, once it happened.
        public var giveUp: RemoteGiveUp?
        /// When the current run of successes began; nil while failing.
        public var reachableSince: Double?

        public init(startedAt: Double, attempts: Int, giveUp: RemoteGiveUp? = nil, reachableSince: Double? = nil) {
            self.startedAt = startedAt
            self.attempts = attempts
            self.giveUp = giveUp
            self.reachableSince = reachableSince
        }
    }

    /// Seconds of failures tolerated before giving up; 0 gives up at the first failure.
    public let toleranceS: Int
    /// Seconds a success must hold before an episode ends.
    public let settleS: Double
    /// The open episode, if any.
    public private(set) var episode: Episode?
    private var lastTime: Double?

    /// - Parameters:
    ///   - toleranceS: negative values count as 0.
    ///   - settleS: negative or non-finite values count as 0.
    public init(
        toleranceS: Int = RemoteFailureTolerance.defaultToleranceS,
        settleS: Double = RemoteFailureTolerance.defaultSettleS
    ) {
        self.toleranceS = max(toleranceS, 0)
        self.settleS = settleS.isFinite ? max(settleS, 0) : 0
    }

    /// A tolerance resuming `episode` (restored from persisted state after a restart of the
    /// poller); times in `episode` are in the same seconds scale the caller will pass to ``record(_:at:)``.
    public init(toleranceS: Int, settleS: Double, restoring episode: Episode?) {
        self.init(toleranceS: toleranceS, settleS: settleS)
        self.episode = episode
        if let episode { lastTime = max(episode.startedAt, episode.reachableSince ?? episode.startedAt) }
    }

    /// Whether the host is currently given up.
    public var givenUp: Bool { episode?.giveUp != nil }

    /// The `monitor_remote_giveup` alert while the host is given up, else nil.
    public func activeAlert(host: String) -> Alert? {
        episode?.giveUp?.alert(host: host)
    }

    /// The outcome of one poll.
    public enum Outcome: Sendable, Equatable {
        case success
        case failure(RemoteFailure)
    }

    /// Records one poll's outcome at monotonic time `now` (seconds) and says what it means.
    public mutating func record(_ outcome: Outcome, at now: Double) -> RemoteFailureTransition {
        let now = monotonic(now)
        switch outcome {
        case .success: return recordSuccess(at: now)
        case .failure(let failure): return recordFailure(failure, at: now)
        }
    }

    private mutating func recordSuccess(at now: Double) -> RemoteFailureTransition {
        guard var current = episode else { return .none }
        let since = current.reachableSince ?? now
        current.reachableSince = since
        guard now - since >= settleS else {
            episode = current
            return .none
        }
        episode = nil
        if current.giveUp != nil {
            return .recovered(attempts: current.attempts, downForS: now - current.startedAt)
        }
        return .reset(attempts: current.attempts)
    }

    private mutating func recordFailure(_ failure: RemoteFailure, at now: Double) -> RemoteFailureTransition {
        var current = episode ?? Episode(startedAt: now, attempts: 0, giveUp: nil, reachableSince: nil)
        current.attempts += 1
        current.reachableSince = nil
        defer { episode = current }
        let elapsed = now - current.startedAt
        if current.giveUp != nil {
            return .stillDown(attempts: current.attempts, elapsedS: elapsed)
        }
        if toleranceS == 0 || elapsed >= Double(toleranceS) {
            let giveUp = RemoteGiveUp(
                totalAttempts: current.attempts, totalElapsedS: elapsed, capS: toleranceS, finalError: failure)
            current.giveUp = giveUp
            return .giveUp(giveUp)
        }
        let step = Double(Self.backoffS[min(current.attempts - 1, Self.backoffS.count - 1)])
        let left = Double(toleranceS) - elapsed
        return .blip(
            RemoteBlip(
                attempt: current.attempts, elapsedS: elapsed, nextSleepS: min(step, left),
                sleepIsBackoffStep: step <= left,
                capS: toleranceS, failure: failure
            ))
    }

    private mutating func monotonic(_ reading: Double) -> Double {
        let now = reading.isFinite ? max(reading, lastTime ?? reading) : (lastTime ?? 0)
        lastTime = now
        return now
    }
}
